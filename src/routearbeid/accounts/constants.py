"""Session keys of the login steps."""

# Set at the password step for a user who must still give a code (two-factor not yet verified).
SESSION_TWO_FACTOR_PENDING = "routearbeid_two_factor_pending"
# Recovery codes waiting to be shown once, right after they were made.
SESSION_NEW_RECOVERY_CODES = "routearbeid_new_recovery_codes"

RECOVERY_CODE_COUNT = 10
