use collector::{app, Settings, DEFAULT_MAX_BODY};
use std::net::SocketAddr;
use std::path::PathBuf;

const USAGE: &str = "usage: collector [--host 127.0.0.1] [--port 8080] [--db telemetry.db] [--www www] [--cors-origin ORIGIN]... [--max-body BYTES] [--test-faults]";

fn main() {
    let mut host = "127.0.0.1".to_string();
    let mut port: u16 = 8080;
    let mut settings = Settings {
        db: PathBuf::from("telemetry.db"),
        www: PathBuf::from("www"),
        cors_origins: Vec::new(),
        max_body: DEFAULT_MAX_BODY,
        faults: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| fail(&format!("{flag} needs a value")));
        match flag.as_str() {
            "--host" => host = value(),
            "--port" => port = value().parse().unwrap_or_else(|_| fail("--port must be a number from 0 to 65535")),
            "--db" => settings.db = PathBuf::from(value()),
            "--www" => settings.www = PathBuf::from(value()),
            "--cors-origin" => settings.cors_origins.push(value()),
            "--test-faults" => settings.faults = true,
            "--max-body" => settings.max_body = value().parse().unwrap_or_else(|_| fail("--max-body must be a number of bytes")),
            "-h" | "--help" => {
                println!("{USAGE}");
                return;
            }
            other => fail(&format!("unknown flag {other}")),
        }
    }
    let addr: SocketAddr = format!("{host}:{port}").parse().unwrap_or_else(|_| fail("--host must be an IP address"));
    let router = app(&settings).unwrap_or_else(|e| fail(&format!("cannot open database {}: {e}", settings.db.display())));
    let rt = tokio::runtime::Runtime::new().expect("tokio runtime");
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr).await.unwrap_or_else(|e| fail(&format!("cannot listen on {addr}: {e}")));
        let local = listener.local_addr().expect("bound address");
        println!("collector listening on http://{local}/ (database {}, serving {})", settings.db.display(), settings.www.display());
        axum::serve(listener, router)
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .expect("server");
    });
}

fn fail(msg: &str) -> ! {
    eprintln!("collector: {msg}\n{USAGE}");
    std::process::exit(2);
}
