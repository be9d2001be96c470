from .reference import BusinessSystem, Contract, Host, ServiceItem

__all__ = ["BusinessSystem", "Contract", "Host", "ServiceItem"]
