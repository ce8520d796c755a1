"""The long-running worker: jobs on a schedule per team time zone, one at a time, with health
endpoints, metrics and leader election (``followthrough run``).

`core` holds the loop; `schedule` when jobs run; `jobs` and `cycle` what one run of a job
does; `status`, `http` and `metrics` what the endpoints serve; `leader` who may act;
`config` how a changed configuration is taken in; `report` the weekly report job.
"""
