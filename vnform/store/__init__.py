"""The database, behind one small layer: the rest of vnform never touches the ORM.

Each submodule owns one kind of data; this package re-exports their functions, so
callers write ``store.submit(...)`` and never import the ORM themselves.
"""

from vnform.store.accounts import *  # noqa: F403
from vnform.store.audit import *  # noqa: F403
from vnform.store.bulk import *  # noqa: F403
from vnform.store.comments import *  # noqa: F403
from vnform.store.database import *  # noqa: F403
from vnform.store.designs import *  # noqa: F403
from vnform.store.erasure import *  # noqa: F403
from vnform.store.failures import *  # noqa: F403
from vnform.store.flagged import *  # noqa: F403
from vnform.store.invitations import *  # noqa: F403
from vnform.store.previews import *  # noqa: F403
from vnform.store.reading import ReadTimeout  # noqa: F401
from vnform.store.responses import *  # noqa: F403
from vnform.store.results import *  # noqa: F403
from vnform.store.retention import *  # noqa: F403
from vnform.store.statistics import *  # noqa: F403
from vnform.store.tallies import *  # noqa: F403
