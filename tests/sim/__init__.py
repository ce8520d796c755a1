"""A deterministic fault simulator over the engines' ports (store, tracker, mailer)."""
