"""End-to-end test of `faxprep mcp` with the official MCP Python SDK as the
client, sending to a stub of the fax API and to `faxprep serve --sandbox`. Run by crates/faxprep-cli/tests/mcp.rs:

    python3 e2e_client.py FAXPREP_BINARY CORPUS_DIR WORK_DIR

WORK_DIR is an empty temporary directory: the jail's root is WORK_DIR/root
(corpus files are copied into it at run time), the audit log goes beside it.
A stub of the fax API's two endpoints runs in this process on 127.0.0.1, on
a free port. Exits non-zero with a message on the first failed check.
"""

import asyncio
import base64
import email
import email.policy
import http.server
import json
import os
import shutil
import struct
import subprocess
import sys
import threading
import zlib

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

PDF = "pdfminer-naacl06-shinyama.pdf"
PHOTO = "exif-Landscape_1.jpg"
TOOLS = {
    "prepare_fax",
    "inspect_document",
    "quote",
    "preview_cover",
    "send_fax",
    "get_fax_status",
}
SENDER = {"senderName": "Ada Lovelace", "senderEmail": "ada@example.com"}
RECIPIENT = "+12125551234"
API_KEY = "fd_live_0123456789abcdef0123456789abcdef"


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def corpus_pages(corpus, name):
    """Pages of a corpus file as INDEX.tsv records them (counted by pdfinfo
    when the corpus was built)."""
    with open(os.path.join(corpus, "INDEX.tsv"), encoding="utf-8") as f:
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if cols[0] == name:
                return int(cols[3])
    raise AssertionError(f"{name} not in INDEX.tsv")


def decode_png(data):
    """Decode an 8-bit grayscale PNG with zlib and struct: checks the
    signature, every chunk's CRC, and unfilters the rows. Returns (width,
    height, rows)."""
    check(data[:8] == b"\x89PNG\r\n\x1a\n", "PNG signature")
    pos, idat, ihdr = 8, b"", None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        check(zlib.crc32(kind + body) & 0xFFFFFFFF == crc, f"CRC of {kind!r}")
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
        if kind == b"IEND":
            break
    check(ihdr is not None, "IHDR present")
    width, height, depth, color, _, _, interlace = ihdr
    check((depth, color, interlace) == (8, 0, 0), f"8-bit gray, not interlaced: {ihdr}")
    raw = zlib.decompress(idat)
    check(len(raw) == height * (width + 1), "IDAT length")
    rows, prev = [], bytearray(width)
    for y in range(height):
        ftype = raw[y * (width + 1)]
        line = bytearray(raw[y * (width + 1) + 1 : (y + 1) * (width + 1)])
        for x in range(width):
            a = line[x - 1] if x else 0
            b = prev[x]
            c = prev[x - 1] if x else 0
            if ftype == 1:
                line[x] = (line[x] + a) & 255
            elif ftype == 2:
                line[x] = (line[x] + b) & 255
            elif ftype == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pr = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[x] = (line[x] + pr) & 255
            else:
                check(ftype == 0, f"filter type {ftype}")
        rows.append(bytes(line))
        prev = line
    return width, height, rows


def ink(rows):
    """Fraction of pixels darker than mid-gray."""
    dark = sum(sum(1 for v in row if v < 128) for row in rows)
    return dark / (len(rows) * len(rows[0]))


def images(result):
    return [base64.b64decode(c.data) for c in result.content if c.type == "image"]


def structured(result):
    check(result.structured_content is not None, "structured content")
    return result.structured_content


def expect_error(result, error_type, what):
    check(result.is_error, f"{what}: isError")
    body = structured(result)
    check(body.get("error_type") == error_type, f"{what}: error_type {body}")
    check(body.get("hint"), f"{what}: hint")
    check(body.get("error"), f"{what}: error")
    return body


class Stub:
    """The fax API's two endpoints, recording what they receive."""

    def __init__(self):
        self.sent = []
        stub = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # answers Expect: 100-continue

            def log_message(self, *args):
                pass

            def reply(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):
                length = int(self.headers["Content-Length"])
                body = self.rfile.read(length)
                stub.sent.append((self.path, self.headers, body))
                check(self.headers.get("Expect") == "100-continue", "the upload waits for a go")
                if self.headers.get("X-API-Key") != API_KEY:
                    return self.reply(401, {"error": "bad key", "error_type": "unauthorized", "hint": "key"})
                self.reply(200, {"success": True, "faxId": "fax_stub_1", "status": "queued"})

            def do_GET(self):
                stub.sent.append((self.path, self.headers, b""))
                if self.path == "/api/v1/fax/fax_stub_1":
                    return self.reply(200, {"faxId": "fax_stub_1", "status": "completed", "pages": 9})
                self.reply(404, {"error": "Fax not found", "error_type": "not_found", "hint": "check the id"})

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def parse_multipart(headers, body):
    """The form's parts by name, with Python's email parser (an
    implementation independent of the server's)."""
    msg = email.message_from_bytes(
        f"Content-Type: {headers['Content-Type']}\r\n\r\n".encode() + body,
        policy=email.policy.HTTP,
    )
    check(msg.is_multipart(), "multipart body")
    parts = {}
    for part in msg.iter_parts():
        name = part.get_param("name", header="content-disposition")
        parts[name] = (part.get_filename(), part.get_content_type(), part.get_payload(decode=True))
    return parts


async def session(exe, env, body):
    params = StdioServerParameters(command=exe, args=["mcp"], env=env)
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as s:
            await s.initialize()
            await body(s)


async def main():
    exe, corpus, work = sys.argv[1:4]
    root = os.path.join(work, "root")
    os.makedirs(root)
    for name in (PDF, PHOTO):
        shutil.copy(os.path.join(corpus, name), os.path.join(root, name))
    with open(os.path.join(root, PDF), "rb") as f:
        pdf_bytes = f.read()
    with open(os.path.join(corpus, PHOTO), "rb") as f:
        photo_b64 = base64.b64encode(f.read()).decode()
    audit = os.path.join(work, "audit.jsonl")
    stub = Stub()
    env = {
        "FAXPREP_MCP_ROOT": root,
        "FAXPREP_MCP_AUDIT": audit,
        "FAXPREP_API_BASE": stub.base,
        "FAXPREP_API_KEY": API_KEY,
    }
    pdf_pages = corpus_pages(corpus, PDF)
    state = {}

    async def dry(s):
        tools = (await s.list_tools()).tools
        names = {t.name for t in tools}
        check(names == TOOLS, f"tools: {names}")
        by = {t.name: t for t in tools}
        for t in tools:
            check(t.input_schema.get("type") == "object", f"{t.name}: schema type")
            check(len(t.description or "") > 80, f"{t.name}: a description for models")
        props = by["prepare_fax"].input_schema["properties"]
        for key in ("path", "contentBase64", "recipientNumber", "senderName", "senderEmail",
                    "includeCover", "coverNote", "plan", "resolution", "showPages"):
            check(key in props, f"prepare_fax has {key}")
        check("4 MB" in by["prepare_fax"].description, "prepare_fax states the 4 MB limit")
        check("5 pages" in by["prepare_fax"].description, "prepare_fax states the free plan")
        check(by["send_fax"].input_schema.get("required") == ["handle"], "send_fax requires handle")
        check(by["get_fax_status"].input_schema.get("required") == ["faxId"], "status requires faxId")
        check(by["quote"].input_schema.get("required") == ["documentPages"], "quote requires pages")

        # The PDF, by a path relative to the root, with a cover.
        r = await s.call_tool("prepare_fax", {
            "path": PDF, "recipientNumber": "(212) 555-1234", "includeCover": True,
            "recipientName": "Dr. Jane Smith", "subject": "Paper", **SENDER,
        })
        check(not r.is_error, f"prepare_fax PDF: {r.content[:1]}")
        body = structured(r)
        fax = body["fax"]
        check(fax["total_pages"] == pdf_pages + 1, f"pages with cover: {fax['total_pages']}")
        check(fax["document_pages"] == pdf_pages, "document pages")
        check(fax["credits"] == 1, "credits")
        check(fax["recipient_number"] == RECIPIENT, "E.164 recipient")
        check(len(fax["pages"]) == pdf_pages + 1, "per-page facts")
        check(fax["pages"][0]["content"] == "cover", "the cover first")
        check(body["placeholders"] == [], "no placeholders")
        pngs = images(r)
        # Over four pages: a contact sheet and the first page.
        check(len(pngs) == 2, f"contact sheet + page 1: {len(pngs)}")
        sw, sh, _ = decode_png(pngs[0])
        w, h, rows = decode_png(pngs[1])
        check(w == 864 and 1000 < h < 1200, f"page 1 at half size: {w}x{h}")
        check(0.001 < ink(rows) < 0.5, "the cover has text on white")
        check(sw <= 1700 and sh < 2000, f"contact sheet size {sw}x{sh}")
        check(sum(len(p) for p in pngs) < 1_500_000, "the answer stays small")
        state["handle"] = body["handle"]

        # Ask for two pages of the document itself.
        r = await s.call_tool("prepare_fax", {
            "path": PDF, "recipientNumber": RECIPIENT, "showPages": [2, 3], **SENDER,
        })
        check(not r.is_error, "prepare_fax showPages")
        pngs = images(r)
        check(len(pngs) == 3, "sheet + pages 2 and 3")
        _, _, rows = decode_png(pngs[1])
        check(ink(rows) > 0.005, "page 2 of the paper has text")
        check(structured(r)["fax"].get("header") is None, "no identification line by default")
        r = await s.call_tool("prepare_fax", {
            "path": PDF, "recipientNumber": RECIPIENT, "header": True, **SENDER,
        })
        check(not r.is_error, f"prepare_fax with the identification line: {r.content[:1]}")
        fax = structured(r)["fax"]
        check(fax.get("header") is not None, "the line's facts")
        check(all(isinstance(p.get("header"), str) for p in fax["pages"]), "a line on every page")

        # The photo, inline; four pages or fewer come one by one.
        r = await s.call_tool("prepare_fax", {
            "contentBase64": photo_b64, "filename": PHOTO, "recipientNumber": RECIPIENT, **SENDER,
        })
        check(not r.is_error, f"prepare_fax photo: {r.content[:1]}")
        fax = structured(r)["fax"]
        check(fax["total_pages"] == 1 and fax["format"] == "jpeg", f"photo: {fax['total_pages']}")
        pngs = images(r)
        check(len(pngs) == 1, "one page image")
        w, h, rows = decode_png(pngs[0])
        check(w == 864, "photo page width")
        check(0.02 < ink(rows) < 0.98, "a photo is halftoned, neither blank nor black")

        # Typed errors an agent can act on.
        r = await s.call_tool("prepare_fax", {"path": PDF, "recipientNumber": "+44 20 7946 0958", **SENDER})
        expect_error(r, "bad_request", "a UK number")
        r = await s.call_tool("prepare_fax", {"path": PDF, "recipientNumber": "12345", **SENDER})
        expect_error(r, "bad_request", "a short number")
        r = await s.call_tool("prepare_fax", {"path": os.path.join(corpus, PDF), **SENDER})
        body = expect_error(r, "bad_request", "an absolute path outside the root")
        check("outside" in body["error"], f"says outside: {body['error']}")
        r = await s.call_tool("prepare_fax", {"path": "../root/../../" + os.path.basename(work), **SENDER})
        expect_error(r, "bad_request", "a .. path outside the root")
        r = await s.call_tool("prepare_fax", {"path": PDF, "plan": "free", **SENDER, "recipientNumber": RECIPIENT})
        expect_error(r, "payment_required", "8 pages on the free plan")
        r = await s.call_tool("prepare_fax", {"path": PDF, "contentBase64": photo_b64})
        expect_error(r, "bad_request", "both path and content")

        # inspect, quote, preview_cover.
        r = await s.call_tool("inspect_document", {"path": PDF})
        check(not r.is_error, "inspect")
        facts = structured(r)
        check(facts["pages"] == pdf_pages and facts["format"] == "pdf", f"inspect: {facts}")
        check(facts["quotes"]["paid"] == {"total_pages": pdf_pages, "credits": 1}, "paid quote")
        check(facts["quotes"]["free"] is None, "8 pages + the cover: over the free plan")
        r = await s.call_tool("prepare_fax", {"path": PDF, "recipientNumer": RECIPIENT, **SENDER})
        body = expect_error(r, "bad_request", "a misspelt field")
        check("recipientNumer" in body["error"], f"names it: {body['error']}")
        r = await s.call_tool("prepare_fax", {"path": PDF, "halftone": "sparkles", **SENDER})
        expect_error(r, "bad_request", "an unknown halftone")
        r = await s.call_tool("prepare_fax", {"path": PDF, "headerPosition": "left", **SENDER})
        expect_error(r, "bad_request", "an identification line on the left")
        r = await s.call_tool("prepare_fax", {"path": PDF, "date": "yesterday", **SENDER})
        expect_error(r, "bad_request", "a date that is not one")
        r = await s.call_tool("quote", {"documentPages": 10, "includeCover": True})
        check(structured(r) == {"total_pages": 11, "credits": 2}, f"quote: {structured(r)}")
        r = await s.call_tool("quote", {"documentPages": 5, "plan": "free"})
        expect_error(r, "payment_required", "free plan quote")
        r = await s.call_tool("preview_cover", {"recipientNumber": RECIPIENT, "subject": "Hello", **SENDER})
        check(not r.is_error, "preview_cover")
        pngs = images(r)
        check(len(pngs) == 1, "one cover image")
        w, h, rows = decode_png(pngs[0])
        check(w == 864 and ink(rows) > 0.001, "cover drawn")

        # Sending is a dry run unless configured.
        r = await s.call_tool("send_fax", {"handle": state["handle"]})
        check(not r.is_error, "dry run")
        body = structured(r)
        check(body["dry_run"] is True, "dry_run")
        check(body["fields"]["recipientNumber"] == "(212) 555-1234", "fields as given")
        check(body["file"]["bytes"] == len(pdf_bytes), "the file's size")
        check(stub.sent == [], "nothing reached the API")
        r = await s.call_tool("send_fax", {"handle": "fax-999-deadbeef"})
        expect_error(r, "not_found", "an unknown handle")

    await session(exe, env, dry)

    async def live(s):
        r = await s.call_tool("prepare_fax", {
            "path": PDF, "recipientNumber": "(212) 555-1234", "includeCover": True,
            "coverNote": "Line one\nLine two", **SENDER,
        })
        check(not r.is_error, "prepare_fax for sending")
        handle = structured(r)["handle"]
        r = await s.call_tool("send_fax", {"handle": handle})
        check(not r.is_error, f"send_fax: {r.content[:1]}")
        check(structured(r)["faxId"] == "fax_stub_1", "the API's answer")
        check(len(stub.sent) == 1, "one request")
        path, headers, body = stub.sent[0]
        check(path == "/api/send-fax", f"path {path}")
        check(headers.get("X-API-Key") == API_KEY, "the key")
        parts = parse_multipart(headers, body)
        filename, ctype, data = parts["file"]
        check(data == pdf_bytes, "the very bytes that were previewed")
        check(filename == PDF and ctype == "application/pdf", f"file part {filename} {ctype}")
        check(parts["recipientNumber"][2] == b"(212) 555-1234", "recipientNumber")
        check(parts["coverNote"][2] == b"Line one\nLine two", "coverNote")
        check(parts["includeCover"][2] == b"true", "includeCover")
        check(parts["senderEmail"][2] == b"ada@example.com", "senderEmail")
        r = await s.call_tool("get_fax_status", {"faxId": "fax_stub_1"})
        check(not r.is_error and structured(r)["status"] == "completed", "status")
        r = await s.call_tool("get_fax_status", {"faxId": "fax_nope"})
        expect_error(r, "not_found", "an unknown fax")
        r = await s.call_tool("get_fax_status", {"faxId": "../admin"})
        expect_error(r, "bad_request", "a fax id with a path in it")
        check(len(stub.sent) == 3, "the bad id never reached the API")
        # A preview with invented fields is never sent.
        r = await s.call_tool("prepare_fax", {"path": PDF})
        body = structured(r)
        check(set(body["placeholders"]) == {"recipientNumber", "senderName", "senderEmail"}, "placeholders")
        r = await s.call_tool("send_fax", {"handle": body["handle"]})
        expect_error(r, "bad_request", "sending a placeholder preview")
        check(len(stub.sent) == 3, "nothing more sent")

    await session(exe, {**env, "FAXPREP_MCP_SEND": "1"}, live)

    # The project's own sandbox of the API, `faxprep serve --sandbox`.
    serve = subprocess.Popen(
        [exe, "serve", "--sandbox", "--listen", "127.0.0.1:0"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    try:
        line = await asyncio.wait_for(asyncio.to_thread(serve.stdout.readline), 60)
        check(line.startswith("faxprep serve: listening on http://"), f"serve says {line!r}")
        sandbox = line.strip().rsplit(" ", 1)[1]

        async def sandboxed(s):
            r = await s.call_tool("prepare_fax", {
                "path": PDF, "recipientNumber": RECIPIENT, "includeCover": True, **SENDER,
            })
            handle = structured(r)["handle"]
            r = await s.call_tool("send_fax", {"handle": handle})
            check(not r.is_error, f"send to the sandbox: {r.content[:1]}")
            fax_id = structured(r).get("faxId")
            check(isinstance(fax_id, str) and fax_id, f"a faxId: {structured(r)}")
            r = await s.call_tool("get_fax_status", {"faxId": fax_id})
            check(not r.is_error, f"status from the sandbox: {r.content[:1]}")
            status = structured(r)
            check(status.get("status") in ("queued", "sending", "completed"), f"status {status}")
            r = await s.call_tool("get_fax_status", {"faxId": "fax_does_not_exist"})
            expect_error(r, "not_found", "the sandbox's unknown fax")

        await session(exe, {**env, "FAXPREP_API_BASE": sandbox, "FAXPREP_MCP_SEND": "1"}, sandboxed)
        # A key the sandbox does not take: its 401 comes back typed.
        async def bad_key(s):
            r = await s.call_tool("prepare_fax", {"path": PDF, "recipientNumber": RECIPIENT, **SENDER})
            r = await s.call_tool("send_fax", {"handle": structured(r)["handle"]})
            expect_error(r, "unauthorized", "a key the API refuses")

        await session(exe, {**env, "FAXPREP_API_BASE": sandbox, "FAXPREP_MCP_SEND": "1",
                            "FAXPREP_API_KEY": "not-a-key"}, bad_key)
    finally:
        serve.terminate()
        serve.wait(timeout=30)

    # The audit log: allowlisted keys only, no number or email in clear.
    allowed = {"ts", "tool", "outcome", "error_type", "handle", "source", "bytes", "pages",
               "credits", "recipient", "sender_email", "dry_run", "http_status", "fax_id"}
    with open(audit, encoding="utf-8") as f:
        text = f.read()
    lines = [json.loads(line) for line in text.splitlines()]
    check(len(lines) >= 20, f"one line per call: {len(lines)}")
    for line in lines:
        check(set(line) <= allowed, f"audit keys {set(line) - allowed}")
    for secret in ("5551234", "555-1234", "ada@example.com", "Lovelace", "Line one", API_KEY,
                   "not-a-key", photo_b64[:40]):
        check(secret not in text, f"audit log holds {secret!r}")
    sends = [line for line in lines if line["tool"] == "send_fax" and line["outcome"] == "ok"]
    check([line.get("dry_run") for line in sends] == [True, False, False], "dry run then sent")
    check(sends[1]["http_status"] == 200 and sends[1]["fax_id"] == "fax_stub_1", "send recorded")
    check(sends[1]["recipient"] == "+1212*****34", f"masked: {sends[1]['recipient']}")
    stub.server.shutdown()
    print("e2e ok:", len(lines), "audited calls")


if __name__ == "__main__":
    asyncio.run(asyncio.wait_for(main(), timeout=240))
