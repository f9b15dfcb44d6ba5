"""The discovery folder between the stages: typed files, one writer, one reader.

>>> from behaviortypes import study
>>> folder = study.load("surveys/demo/discovery")  # doctest: +SKIP
>>> folder.solution.k, folder.type_names  # doctest: +SKIP
"""

from .folder import (
    CONTRACT_FILES,
    SCHEMAS,
    STALE_AFTER_DISCOVERY,
    TABLE_COLUMNS,
    DiscoveryFolder,
    HasFiles,
    check_file,
    claim,
    load,
    one_group_message,
    read,
    refuse_one_group,
    read_types,
    save,
    write,
)
from .schemas import (
    BaseShares,
    FactorsFile,
    LookalikeCard,
    ScreeningSummary,
    Solution,
    Source,
    TypeEntry,
    TypesFile,
)

__all__ = [
    "DiscoveryFolder",
    "HasFiles",
    "load",
    "read",
    "save",
    "write",
    "claim",
    "read_types",
    "check_file",
    "refuse_one_group",
    "one_group_message",
    "SCHEMAS",
    "TABLE_COLUMNS",
    "CONTRACT_FILES",
    "STALE_AFTER_DISCOVERY",
    "Solution",
    "FactorsFile",
    "TypesFile",
    "TypeEntry",
    "LookalikeCard",
    "BaseShares",
    "Source",
    "ScreeningSummary",
]
