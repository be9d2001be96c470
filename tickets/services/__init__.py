"""Writes of the tickets app. Each use case is a function `<entity>_<verb>(*, actor, ...)`, atomic,
checking the transition table in tickets.services.transitions and writing the timeline.

For pages (forms call exactly these; errors are core.exceptions.DomainError with `message`/`fields`):
- tickets.services.tickets: ticket_create, ticket_update (EDITABLE_FIELDS), ticket_acknowledge,
  ticket_claim, ticket_assign, ticket_start, ticket_pend, ticket_resume, ticket_locate, ticket_resolve,
  ticket_close, ticket_reopen
- tickets.services.exclusions: ticket_cancel, ticket_merge (open an exclusion: the purchaser's own act
  takes effect at once, the provider's once the purchaser confirms), ticket_mark_major (the same
  consent for a major liability incident), exclusion_decide
- tickets.services.regrade: ticket_regrade (raise at once; a provider's downgrade of a fault or
  security incident waits for the purchaser)
- tickets.services.comments: ticket_comment, ticket_attachment_add (ALLOWED_TYPES)
- tickets.services.satisfaction: ticket_rate, satisfaction_follow_up_close
- tickets.services.downtime: downtime_record_create, downtime_record_correct
- tickets.services.transitions: ticket_actions_for(user=, ticket=) -> action names to show
  (TRANSITIONS[name].label is the Chinese button label; TRANSITIONS is a core.transitions.TransitionTable)
Reads: tickets.selectors.tickets (ticket_get_for_user, ticket_list_for_user, ticket_queue, ticket_filter,
ticket_event_list, ticket_comment_list, ticket_attachment_list, ticket_attachment_get_for_user, downtime_list,
follow_up_list) and tickets.selectors.sla (ticket_sla, sla_clock_figures).
"""
