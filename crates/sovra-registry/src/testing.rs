//! A small HTTP/1.1 server on `127.0.0.1:0` for tests and the benchmark:
//! it answers from recorded registry responses and can misbehave on purpose
//! (latency, 429 with `Retry-After`, 500, slow answers, malformed bodies).
//! Not part of the stable API.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

/// One answer.
#[derive(Clone, Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Wait this long before answering.
    pub delay: Duration,
}

impl Reply {
    pub fn ok(body: impl Into<Vec<u8>>) -> Reply {
        Reply { status: 200, headers: Vec::new(), body: body.into(), delay: Duration::ZERO }
    }

    pub fn status(status: u16) -> Reply {
        Reply { status, ..Reply::ok(format!("status {status}")) }
    }

    pub fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    pub fn delay(mut self, delay: Duration) -> Reply {
        self.delay = delay;
        self
    }
}

type Handler = dyn Fn(&str) -> Reply + Send + Sync;

/// A running server; stopped (port closed) when dropped.
pub struct Server {
    port: u16,
    stop: Arc<AtomicBool>,
    requests: Arc<AtomicUsize>,
    connections: Arc<AtomicUsize>,
    accept: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    /// Start a server; `make` builds the handler from the server's base URL
    /// (`http://127.0.0.1:PORT`), which recorded documents may need to name.
    /// The handler gets the request target (path and query, as sent).
    pub fn start<H>(make: impl FnOnce(&str) -> H) -> Server
    where
        H: Fn(&str) -> Reply + Send + Sync + 'static,
    {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let port = listener.local_addr().expect("local address").port();
        let handler: Arc<Handler> = Arc::new(make(&format!("http://127.0.0.1:{port}")));
        let stop = Arc::new(AtomicBool::new(false));
        let requests = Arc::new(AtomicUsize::new(0));
        let connections = Arc::new(AtomicUsize::new(0));
        let accept = {
            let (stop, requests, connections) = (stop.clone(), requests.clone(), connections.clone());
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    connections.fetch_add(1, Ordering::SeqCst);
                    let (handler, requests) = (handler.clone(), requests.clone());
                    std::thread::spawn(move || serve(stream, &*handler, &requests));
                }
            })
        };
        Server { port, stop, requests, connections, accept: Some(accept) }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Requests answered so far.
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag and closes the listener.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(t) = self.accept.take() {
            let _ = t.join();
        }
    }
}

/// Answer requests on one keep-alive connection until the client closes it.
fn serve(stream: TcpStream, handler: &Handler, requests: &AtomicUsize) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let _ = stream.set_nodelay(true);
    let Ok(mut writer) = stream.try_clone() else { return };
    let mut reader = BufReader::new(stream);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let target = line.split_whitespace().nth(1).unwrap_or("/").to_string();
        let mut close = false;
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).unwrap_or(0) == 0 {
                return;
            }
            let h = header.trim();
            if h.is_empty() {
                break;
            }
            if h.to_ascii_lowercase().starts_with("connection:") && h.to_ascii_lowercase().contains("close") {
                close = true;
            }
        }
        requests.fetch_add(1, Ordering::SeqCst);
        let reply = handler(&target);
        std::thread::sleep(reply.delay);
        let mut head = format!("HTTP/1.1 {} X\r\nContent-Length: {}\r\n", reply.status, reply.body.len());
        for (k, v) in &reply.headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        // One write: head and body in separate segments would meet the
        // client's delayed ACK and add 40 ms to every answer.
        let mut message = head.into_bytes();
        message.extend_from_slice(&reply.body);
        if writer.write_all(&message).is_err() || close {
            return;
        }
    }
}

/// A handler that serves the files under `root` by request path (percent
/// escapes decoded, query dropped), with `{{base}}` in them replaced by the
/// server's URL and the headers of a `<file>.headers` beside them; 404 for
/// anything else.
pub fn fixtures(root: PathBuf, base: &str) -> impl Fn(&str) -> Reply + Send + Sync + use<> {
    let base = base.to_string();
    move |target: &str| {
        let path = decode(target.split('?').next().unwrap_or_default());
        if path.split('/').any(|s| s == "..") {
            return Reply::status(400);
        }
        let file = root.join(path.trim_start_matches('/'));
        let mut reply = match std::fs::read(&file) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => Reply::ok(text.replace("{{base}}", &base)),
                Err(e) => Reply::ok(e.into_bytes()),
            },
            Err(_) => return Reply::status(404),
        };
        // `<file>.headers` holds response headers, one `Name: value` a line.
        let mut sidecar = file.into_os_string();
        sidecar.push(".headers");
        for line in std::fs::read_to_string(sidecar).unwrap_or_default().lines() {
            if let Some((k, v)) = line.split_once(':') {
                reply = reply.header(k.trim(), v.trim());
            }
        }
        reply
    }
}

/// `%XX` escapes decoded; invalid escapes are kept as written.
fn decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned()
}

/// The recorded registry responses of the workspace (`fixtures/registry/responses`).
pub fn responses_dir() -> PathBuf {
    sovra_core::testing::fixtures_dir().join("registry/responses")
}
