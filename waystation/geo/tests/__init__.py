from pathlib import Path

CHANGZHOU_FILE = Path(__file__).resolve().parents[1] / "data" / "changzhou_admin_gcj02.geojson"
