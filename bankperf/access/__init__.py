"""Who may see what: user roles and logins, row scope and masking of the published views.

- :mod:`bankperf.access.permissions`: the permission table (``permissions.yaml``) and the scoped query
  of each published view;
- :mod:`bankperf.access.setup`: roles, ``control.app_user``, the scope functions, the grants
  (``bankperf db grant``), the portal's service login (:func:`portal_settings`);
- :mod:`bankperf.access.users`: ``bankperf users add|import|list|disable|password``;
- :mod:`bankperf.access.demo`: one demo user of every role (``make demo``).
"""

from bankperf.access.permissions import USER_ROLES, permission_table, scoped_view
from bankperf.access.setup import PORTAL_ROLE, portal_settings

__all__ = ["PORTAL_ROLE", "USER_ROLES", "permission_table", "portal_settings", "scoped_view"]
