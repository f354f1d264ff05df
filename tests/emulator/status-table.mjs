// The emulator's documented status rules (README.md, "Status rules"), as the tests expect them: for each user
// status, the status after a password set, a reset_password and an expire_password (the same with a temporary
// password), or the Okta error code that refuses it. The emulator's code does not read this table, so tests
// against it check the code against the documentation.
export const STATUS_TABLE = {
  //                 setPassword   reset_password  expire_password
  STAGED:           ['STAGED',     'E0000017',     'E0000038'],
  PROVISIONED:      ['ACTIVE',     'E0000017',     'E0000038'],
  ACTIVE:           ['ACTIVE',     'RECOVERY',     'PASSWORD_EXPIRED'],
  RECOVERY:         ['ACTIVE',     'RECOVERY',     'PASSWORD_EXPIRED'],
  PASSWORD_EXPIRED: ['ACTIVE',     'RECOVERY',     'PASSWORD_EXPIRED'],
  LOCKED_OUT:       ['LOCKED_OUT', 'RECOVERY',     'PASSWORD_EXPIRED'],
  SUSPENDED:        ['SUSPENDED',  'E0000038',     'E0000038'],
  DEPROVISIONED:    ['E0000038',   'E0000017',     'E0000038'],
};
