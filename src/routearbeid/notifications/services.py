"""E-mail about signals goes through an outbox (being built: see the notifications work)."""


def signals_raised(signal_ids: list[int]) -> None:
    """Called after signals become open; queues the e-mail for the people they are addressed to."""
