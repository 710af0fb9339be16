"""Quality audits: scorecards, weighted criteria, audits of agents' work, action plans (later issue)."""
