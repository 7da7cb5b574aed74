"""Shipped configuration: hall layouts, the service-item catalogue, simulation scenarios and
assessment schemes. Installed as the package data of `hall.config` (see hall/core/shipped.py);
no code lives here."""
