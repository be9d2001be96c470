from .reference import BusinessSystem, Contract, Host, ServiceItem

__all__ = ["BusinessSystem", "Contract", "Host", "ServiceItem"]
from .change import (
    ApprovalChain,
    ApprovalStep,
    ChangeApproval,
    ChangeCategory,
    ChangeEvent,
    ChangeNumberCounter,
    ChangeRequest,
    ChangeRisk,
    ChangeTemplate,
)

__all__ += [
    "ApprovalChain",
    "ApprovalStep",
    "ChangeApproval",
    "ChangeCategory",
    "ChangeEvent",
    "ChangeNumberCounter",
    "ChangeRequest",
    "ChangeRisk",
    "ChangeTemplate",
]
