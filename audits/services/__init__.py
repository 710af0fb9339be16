"""Every change to quality-audit data that has a rule, one module per area (scorecards, audits, the SLA feed,
disputes; calibration, action plans, sampling and compliance add theirs). Views, the API, tasks and commands
call these; `from audits.services import audits as audit_services` etc."""
