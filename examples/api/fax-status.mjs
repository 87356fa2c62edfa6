// Poll a fax's status with Node's fetch, as the API's documentation shows
// it. FAXDROP_BASE_URL points it at the local sandbox.
//   FAXDROP_API_KEY=fd_live_... FAXDROP_BASE_URL=http://127.0.0.1:8080 \
//       node fax-status.mjs fax_...
const BASE_URL = process.env.FAXDROP_BASE_URL ?? "https://www.faxdrop.com";
const faxId = process.argv[2];

const response = await fetch(`${BASE_URL}/api/v1/fax/${faxId}`, {
  headers: { "X-API-Key": process.env.FAXDROP_API_KEY },
});
if (!response.ok) {
  console.error(`HTTP ${response.status}: ${await response.text()}`);
  process.exit(1);
}
const fax = await response.json();
console.log(fax.status, fax.pages, fax.completedAt);
