//! What an agent sees: runs `faxprep mcp`, calls `prepare_fax` on
//! fixtures/docs/letter.pdf with a cover, and writes the tool result's
//! images side by side as one PNG (the README's picture), printing the
//! result's text (the facts).
//!
//! ```sh
//! cargo build -p faxprep-cli --release
//! cargo run -p faxprep-mcp --example agent_view -- target/release/faxprep fixtures/docs/mcp-agent-view.png
//! ```
#![allow(clippy::unwrap_used, missing_docs)] // an example: a failed unwrap says what failed

use base64::Engine as _;
use image::{GrayImage, Luma};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

fn main() {
    let mut args = std::env::args().skip(1);
    let (exe, out) = (args.next().unwrap(), args.next().unwrap());
    let docs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/docs");
    let mut child = Command::new(exe)
        .arg("mcp")
        .env("FAXPREP_MCP_ROOT", &docs)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut send = |v: Value| writeln!(stdin, "{v}").unwrap();
    send(
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {},
        "clientInfo": {"name": "agent_view", "version": "0"}}}),
    );
    send(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
    send(
        json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {
        "name": "prepare_fax", "arguments": {
            "path": "letter.pdf", "recipientNumber": "(212) 555-0142",
            "recipientName": "Dr. Jane Smith", "senderName": "Ada Lovelace",
            "senderEmail": "ada@example.com", "subject": "Records request",
            "coverNote": "Two pages in all, this cover included.", "includeCover": true,
            "date": "2026-11-28T14:05", "zone": "America/New_York"}}}),
    );
    let result = loop {
        let mut line = String::new();
        assert!(
            stdout.read_line(&mut line).unwrap() > 0,
            "the server closed"
        );
        let msg: Value = serde_json::from_str(&line).unwrap();
        if msg["id"] == 2 {
            break msg["result"].clone();
        }
    };
    drop(stdin); // EOF: the server exits
    let mut pages = Vec::new();
    for block in result["content"].as_array().unwrap() {
        match block["type"].as_str() {
            Some("text") => println!("{}", block["text"].as_str().unwrap()),
            Some("image") => {
                let png = base64::engine::general_purpose::STANDARD
                    .decode(block["data"].as_str().unwrap())
                    .unwrap();
                pages.push(image::load_from_memory(&png).unwrap().to_luma8());
            }
            _ => {}
        }
    }
    const GAP: u32 = 16;
    let width = pages.iter().map(|p| p.width() + GAP).sum::<u32>() + GAP;
    let height = pages.iter().map(GrayImage::height).max().unwrap() + 2 * GAP;
    let mut sheet = GrayImage::from_pixel(width, height, Luma([96]));
    let mut x = GAP;
    for p in &pages {
        image::imageops::replace(&mut sheet, p, i64::from(x), i64::from(GAP));
        x += p.width() + GAP;
    }
    sheet.save(&out).unwrap();
    child.wait().unwrap();
}
