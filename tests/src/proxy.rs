//! A TCP proxy between the browser and the server. Cutting it is an honest "offline": unlike
//! ChromeDriver's network emulation, it also stops the service worker's own fetches.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::AbortHandle;

#[derive(Default)]
struct State {
    upstream: Option<SocketAddr>,
    connections: Vec<AbortHandle>,
    /// Requests reach the server, but the browser never gets the answer: the connection drops
    /// the moment the server starts replying (a server that dies after committing).
    swallow_answers: bool,
    /// Connections are accepted and then never answered: a network that stalls.
    hang: bool,
    /// Bytes sent from the server to the browser, every connection together.
    downloaded: Arc<AtomicU64>,
}

pub struct Proxy {
    pub addr: SocketAddr,
    state: Arc<Mutex<State>>,
    accept: AbortHandle,
}

impl Proxy {
    pub async fn start(upstream: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(Mutex::new(State {
            upstream: Some(upstream),
            connections: Vec::new(),
            swallow_answers: false,
            hang: false,
            downloaded: Arc::new(AtomicU64::new(0)),
        }));
        let accept = tokio::spawn(accept_loop(listener, state.clone())).abort_handle();
        Self {
            addr,
            state,
            accept,
        }
    }

    /// Drops every open connection and refuses new ones until [`Proxy::connect_to`].
    pub fn cut(&self) {
        let mut state = self.state.lock().unwrap();
        state.upstream = None;
        for connection in state.connections.drain(..) {
            connection.abort();
        }
    }

    /// Forwards new connections to `upstream`.
    pub fn connect_to(&self, upstream: SocketAddr) {
        self.cut();
        let mut state = self.state.lock().unwrap();
        state.upstream = Some(upstream);
        state.swallow_answers = false;
        state.hang = false;
    }

    /// From now on connections are accepted and held open, but nothing is ever forwarded or
    /// answered. Open connections are dropped first.
    pub fn hang(&self) {
        let mut state = self.state.lock().unwrap();
        state.hang = true;
        for connection in state.connections.drain(..) {
            connection.abort();
        }
    }

    /// How many bytes the browser has received through the proxy so far (headers included).
    pub fn downloaded(&self) -> u64 {
        self.state
            .lock()
            .unwrap()
            .downloaded
            .load(Ordering::Relaxed)
    }

    /// From now on every request reaches the server and every answer is lost on the way back.
    /// Open connections are dropped, so the browser cannot reuse one that still answers.
    pub fn swallow_answers(&self) {
        let mut state = self.state.lock().unwrap();
        state.swallow_answers = true;
        for connection in state.connections.drain(..) {
            connection.abort();
        }
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.cut();
        self.accept.abort();
    }
}

async fn accept_loop(listener: TcpListener, state: Arc<Mutex<State>>) {
    while let Ok((mut inbound, _)) = listener.accept().await {
        let mut state_now = state.lock().unwrap();
        let Some(upstream) = state_now.upstream else {
            continue; // dropping `inbound` closes it: the browser sees a failed connection
        };
        state_now.connections.retain(|c| !c.is_finished());
        let (swallow, hang) = (state_now.swallow_answers, state_now.hang);
        let downloaded = state_now.downloaded.clone();
        let task = tokio::spawn(async move {
            if hang {
                let _held = &mut inbound;
                std::future::pending::<()>().await;
            }
            let Ok(mut outbound) = TcpStream::connect(upstream).await else {
                return;
            };
            if swallow {
                use tokio::io::AsyncReadExt;
                let (mut from_browser, _to_browser) = inbound.split();
                let (mut from_server, mut to_server) = outbound.split();
                let forward = tokio::io::copy(&mut from_browser, &mut to_server);
                let mut first = [0u8; 1];
                // Dropping both streams once the server answers resets the browser's connection.
                tokio::select! {
                    _ = forward => {}
                    _ = from_server.read(&mut first) => {}
                }
            } else {
                use tokio::io::{AsyncReadExt, AsyncWriteExt};
                let (mut from_browser, mut to_browser) = inbound.split();
                let (mut from_server, mut to_server) = outbound.split();
                let up = async {
                    let _ = tokio::io::copy(&mut from_browser, &mut to_server).await;
                    let _ = to_server.shutdown().await;
                };
                // Counted as it passes, so a kept-alive connection's bytes show at once.
                let down = async {
                    let mut buffer = vec![0u8; 64 * 1024];
                    while let Ok(n) = from_server.read(&mut buffer).await {
                        if n == 0 || to_browser.write_all(&buffer[..n]).await.is_err() {
                            break;
                        }
                        downloaded.fetch_add(n as u64, Ordering::Relaxed);
                    }
                    let _ = to_browser.shutdown().await;
                };
                tokio::join!(up, down);
            }
        });
        state_now.connections.push(task.abort_handle());
    }
}
