"""Poll a fax's status with Python `requests`, as the API's documentation
shows it. FAXDROP_BASE_URL points it at the local sandbox.

    FAXDROP_API_KEY=fd_live_... FAXDROP_BASE_URL=http://127.0.0.1:8080 \
        python3 fax_status.py fax_...
"""
import os
import sys

import requests

BASE_URL = os.environ.get("FAXDROP_BASE_URL", "https://www.faxdrop.com")
API_KEY = os.environ["FAXDROP_API_KEY"]
fax_id = sys.argv[1]

response = requests.get(
    f"{BASE_URL}/api/v1/fax/{fax_id}",
    headers={"X-API-Key": API_KEY},
    timeout=30,
)
response.raise_for_status()
fax = response.json()
print(fax["status"], fax.get("pages"), fax.get("completedAt"))
