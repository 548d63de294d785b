"""crmwh: load CRM nightly exports and build the customer-relationship warehouse."""

__version__ = "0.1.0"
