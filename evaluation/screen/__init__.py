"""指挥大屏: the command hall's wall display at /screen/, its JSON data, and the kiosk keys that open it."""
