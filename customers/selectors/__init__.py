"""Reads of customer records: who may open one (access) and finding one (search).

Every function that returns customer data writes an access event from the AuditContext it is
given. The names below are the package's public interface.
"""

from customers.selectors.access import (
    RECORD_INTERACTION_PERMISSION,
    VIEW_CUSTOMER_PERMISSION,
    VIEW_RESTRICTED_PERMISSION,
    ReasonNotNeeded,
    ReasonRequired,
    RestrictedRecord,
    customer_access_refuse,
    customer_access_require,
    customer_get_for_reason,
    customer_get_for_user,
    restricted_record_cleared,
)
from customers.selectors.search import (
    SEARCH_LIMIT,
    SearchResult,
    SearchResults,
    customer_search_by_name,
    customer_search_by_nino,
    normalise_postcode,
    postcode_prefix_q,
)

__all__ = [
    "RECORD_INTERACTION_PERMISSION",
    "SEARCH_LIMIT",
    "VIEW_CUSTOMER_PERMISSION",
    "VIEW_RESTRICTED_PERMISSION",
    "ReasonNotNeeded",
    "ReasonRequired",
    "RestrictedRecord",
    "SearchResult",
    "SearchResults",
    "customer_access_refuse",
    "customer_access_require",
    "customer_get_for_reason",
    "customer_get_for_user",
    "customer_search_by_name",
    "customer_search_by_nino",
    "normalise_postcode",
    "postcode_prefix_q",
    "restricted_record_cleared",
]
