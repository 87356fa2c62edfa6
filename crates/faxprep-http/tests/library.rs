//! The library's entry point, in-process (trusted input, no worker): a
//! server on 127.0.0.1 that answers, then stops when its shutdown future
//! completes; a configuration that cannot work is refused before any
//! socket is used.
#![allow(clippy::unwrap_used)] // test code: a panic is a failure report

use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn get(addr: std::net::SocketAddr, path: &str) -> String {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    answer
}

#[tokio::test]
async fn serves_until_shutdown() {
    let mut config = faxprep_http::Config::default();
    config.isolation = faxprep::Isolation::InProcess;
    config.jobs = 1;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(faxprep_http::serve(listener, config, async move {
        let _ = stopped.await;
    }));
    let health = get(addr, "/healthz").await;
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    assert!(health.contains("\"status\":\"ok\""), "{health}");
    let metrics = get(addr, "/metrics").await;
    assert!(
        metrics.contains("faxprep_http_requests_total{route=\"/healthz\",status=\"200\"} 1"),
        "{metrics}"
    );
    // Without --sandbox the public API's routes do not exist.
    let send = get(addr, "/api/v1/fax/fax_x").await;
    assert!(send.starts_with("HTTP/1.1 404"), "{send}");
    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(10), server)
        .await
        .expect("the server stops")
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn refuses_a_configuration_that_cannot_work() {
    for change in [
        (|c: &mut faxprep_http::Config| c.jobs = 0) as fn(&mut faxprep_http::Config),
        |c| c.speedup = 0.0,
        |c| c.free_keys = vec!["fd_live_short".into()],
    ] {
        let mut config = faxprep_http::Config::default();
        change(&mut config);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let result = faxprep_http::serve(listener, config, async {}).await;
        assert!(
            matches!(result, Err(faxprep_http::ServeError::Config(_))),
            "{result:?}"
        );
    }
}
