"""Writes of the monitoring app: integrations (monitoring.services.integrations) and the intake
(monitoring.services.intake: receive, process, sweep)."""
