# One date style across pages, tables and exports: "23 Feb 2026" reads the same to both sides of the ocean.
DATE_FORMAT = "j M Y"
SHORT_DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATETIME_FORMAT = "j M Y H:i"
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d %b %Y", "%m/%d/%Y"]
