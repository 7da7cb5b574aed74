"""The service desk (服务台): one per hall entrance, for what the kiosk cannot do."""
