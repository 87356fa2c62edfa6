#!/bin/sh
# Send a fax with every field of POST /api/send-fax, as the API's
# documentation shows it. FAXDROP_BASE_URL points it at the local sandbox
# (`faxprep serve --sandbox`); the rest is the documented call.
#   FAXDROP_API_KEY=fd_live_... FAXDROP_BASE_URL=http://127.0.0.1:8080 \
#       ./send-fax.sh document.pdf
set -eu
BASE_URL=${FAXDROP_BASE_URL:-https://www.faxdrop.com}
DOCUMENT=${1:-document.pdf}
curl -sS -X POST "$BASE_URL/api/send-fax" \
  -H "X-API-Key: $FAXDROP_API_KEY" \
  -F "recipientNumber=${RECIPIENT_NUMBER:-+12125551234}" \
  -F "senderName=Your App" \
  -F "senderEmail=you@example.com" \
  -F "recipientName=Dr. Jane Smith" \
  -F "subject=Patient records request" \
  -F "senderCompany=Acme Medical Group" \
  -F "senderPhone=+13155550123" \
  -F "includeCover=true" \
  -F "coverNote=Please see the attached records." \
  -F "sendEmail=false" \
  -F "file=@$DOCUMENT"
echo
