"""Routes, one module per resource; each route is a thin call into ``screener.service``."""
