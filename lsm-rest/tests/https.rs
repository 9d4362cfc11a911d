//! The client against an in-test HTTPS server: TLS trust, auth, headers, cookies, status and
//! transport error mapping, timeouts, keep-alive, paging and retries.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use lsm_core::{ErrorNumber, LsmError, Uri};
use lsm_rest::{Auth, Deadline, NextPage, Page, Request, RestClient, RestConfig, RestError, retry};
use serde_json::{Value, json};
use support::{
    Reply, TestServer, closed_port, dropping_peer, silent_listener, test_cert, test_cert_for,
};

const PASSWORD: &str = "s3cret";

fn client(uri: &str, timeout: Duration) -> lsm_rest::Result<RestClient> {
    let uri = Uri::parse(uri).map_err(|error| RestError::Config(error.message))?;
    RestClient::new(RestConfig::from_uri(&uri, Some(PASSWORD), timeout, 443)?)
}

fn trusted(server: &TestServer, ca: &std::path::Path) -> RestClient {
    client(
        &format!(
            "ontap://admin@127.0.0.1:{}?ca_cert={}",
            server.port,
            ca.display()
        ),
        Duration::from_secs(20),
    )
    .expect("client")
}

fn ok_server(cert: &support::TestCert) -> TestServer {
    TestServer::https(cert, |_| Reply::json(200, json!({"name": "cl1"})))
}

#[test]
fn trusted_with_ca_cert() -> lsm_rest::Result<()> {
    let cert = test_cert();
    let server = ok_server(&cert);
    let client = trusted(&server, &cert.ca_path);
    let cluster: Value = client.send_json(&Request::get("/api/cluster"))?;
    assert_eq!(cluster["name"], "cl1");
    Ok(())
}

#[test]
fn untrusted_without_ca_cert_names_the_options() -> lsm_rest::Result<()> {
    let cert = test_cert();
    let server = ok_server(&cert);
    let client = client(
        &format!("ontap://admin@127.0.0.1:{}", server.port),
        Duration::from_secs(20),
    )?;
    let error = client.send(&Request::get("/api/cluster")).unwrap_err();
    assert!(
        matches!(error, RestError::UntrustedCertificate(_)),
        "{error:?}"
    );
    let lsm = LsmError::from(error);
    assert_eq!(lsm.code, ErrorNumber::NETWORK_ERROR);
    assert!(lsm.message.contains("ca_cert=PATH"), "{}", lsm.message);
    assert!(lsm.message.contains("no_ssl_verify=yes"), "{}", lsm.message);
    Ok(())
}

#[test]
fn certificate_for_another_name_is_refused_even_with_its_ca() {
    let cert = test_cert_for(&["array.example"]);
    let server = ok_server(&cert);
    let client = trusted(&server, &cert.ca_path);
    let error = client.send(&Request::get("/api/cluster")).unwrap_err();
    assert!(
        matches!(error, RestError::UntrustedCertificate(_)),
        "{error:?}"
    );
    assert!(error.to_string().contains("host name"), "{error}");
    assert!(error.to_string().contains("no_ssl_verify=yes"), "{error}");
}

#[test]
fn redirects_are_not_followed() {
    let cert = test_cert();
    let server = TestServer::https(&cert, |_| {
        Reply::json(302, json!({})).header("location", "https://elsewhere.example/login")
    });
    let client = trusted(&server, &cert.ca_path);
    let error = client.send(&Request::get("/api/cluster")).unwrap_err();
    assert_eq!(error.status(), Some(302));
    assert_eq!(server.requests(), 1);
}

#[test]
fn no_ssl_verify_accepts_the_certificate() -> lsm_rest::Result<()> {
    let cert = test_cert();
    let server = ok_server(&cert);
    let client = client(
        &format!("ontap://admin@127.0.0.1:{}?no_ssl_verify=yes", server.port),
        Duration::from_secs(20),
    )?;
    let cluster: Value = client.send_json(&Request::get("/api/cluster"))?;
    assert_eq!(cluster["name"], "cl1");
    Ok(())
}

#[test]
fn bad_ca_cert_is_invalid_argument_naming_the_path() {
    let error = client(
        "ontap://admin@127.0.0.1:1?ca_cert=/no/such/ca.pem",
        Duration::from_secs(1),
    )
    .unwrap_err();
    let lsm = LsmError::from(error);
    assert_eq!(lsm.code, ErrorNumber::INVALID_ARGUMENT);
    assert!(lsm.message.contains("/no/such/ca.pem"), "{}", lsm.message);
}

/// Answers 200 with what it saw when Basic auth is right, 401 otherwise.
fn echo_server(cert: &support::TestCert) -> TestServer {
    TestServer::https(cert, |seen| {
        if seen.header("authorization") != Some("Basic YWRtaW46czNjcmV0") {
            return Reply::json(401, json!({"error": "unauthorized"}));
        }
        let body: Value = serde_json::from_slice(&seen.body).unwrap_or(Value::Null);
        Reply::json(
            200,
            json!({
                "method": seen.method,
                "path": seen.path,
                "client_header": seen.header("x-emc-rest-client"),
                "csrf": seen.header("emc-csrf-token"),
                "content_type": seen.header("content-type"),
                "body": body,
            }),
        )
    })
}

#[test]
fn basic_auth_methods_bodies_query_and_headers() -> lsm_rest::Result<()> {
    let cert = test_cert();
    let server = echo_server(&cert);
    let mut client = trusted(&server, &cert.ca_path);
    client.set_header("X-EMC-REST-CLIENT", "true")?;

    let get: Value = client.send_json(
        &Request::get("/api/x")
            .query("fields", "a,b")
            .query("name", "v 1"),
    )?;
    assert_eq!(get["method"], "GET");
    assert_eq!(get["path"], "/api/x?fields=a%2Cb&name=v+1");
    assert_eq!(get["client_header"], "true");
    assert_eq!(get["csrf"], Value::Null);

    for request in [
        Request::post("/api/x"),
        Request::put("/api/x"),
        Request::patch("/api/x"),
        Request::delete("/api/x"),
    ] {
        let method = request.method().to_string();
        let request = request
            .json(&json!({"name": "v1", "size": 4096}))
            .header("EMC-CSRF-TOKEN", "csrf-1");
        let echoed: Value = client.send_json(&request)?;
        assert_eq!(echoed["method"], method);
        assert_eq!(echoed["body"], json!({"name": "v1", "size": 4096}));
        assert_eq!(echoed["content_type"], "application/json");
        assert_eq!(echoed["csrf"], "csrf-1");
        assert_eq!(echoed["client_header"], "true");
    }
    Ok(())
}

#[test]
fn bearer_token_is_sent_and_replaced() -> lsm_rest::Result<()> {
    let cert = test_cert();
    let server = TestServer::https(&cert, |seen| {
        Reply::json(200, json!({"auth": seen.header("authorization")}))
    });
    let mut client = trusted(&server, &cert.ca_path);
    client.set_auth(Auth::None);
    let none: Value = client.send_json(&Request::get("/x"))?;
    assert_eq!(none["auth"], Value::Null);
    client.set_bearer_token("token-1");
    let first: Value = client.send_json(&Request::get("/x"))?;
    assert_eq!(first["auth"], "Bearer token-1");
    client.set_bearer_token("token-2");
    let second: Value = client.send_json(&Request::get("/x"))?;
    assert_eq!(second["auth"], "Bearer token-2");
    Ok(())
}

#[test]
fn cookies_are_kept_between_requests() -> lsm_rest::Result<()> {
    let cert = test_cert();
    let server = TestServer::https(&cert, |seen| {
        if seen.path == "/login" {
            Reply::json(200, json!({})).header("set-cookie", "mod_sec_emc=abc123; Path=/")
        } else {
            Reply::json(200, json!({"cookie": seen.header("cookie")}))
        }
    });
    let client = trusted(&server, &cert.ca_path);
    client.send(&Request::get("/login"))?;
    let seen: Value = client.send_json(&Request::get("/api/types/lun/instances"))?;
    assert_eq!(seen["cookie"], "mod_sec_emc=abc123");
    Ok(())
}

#[test]
fn statuses_map_to_lsm_errors() -> lsm_rest::Result<()> {
    let cert = test_cert();
    let server = TestServer::https(&cert, |seen| {
        let status: u16 = seen.path.trim_start_matches('/').parse().unwrap_or(500);
        Reply::json(
            status,
            json!({"error": {"code": "4", "message": "entry doesn't exist"}}),
        )
    });
    let client = trusted(&server, &cert.ca_path);
    let code = |status: u16| {
        let error = client
            .send(&Request::get(format!("/{status}")))
            .unwrap_err();
        LsmError::from(error).code
    };
    assert_eq!(code(401), ErrorNumber::PLUGIN_AUTH_FAILED);
    assert_eq!(code(403), ErrorNumber::PERMISSION_DENIED);
    assert_eq!(code(500), ErrorNumber::PLUGIN_BUG);
    assert_eq!(code(503), ErrorNumber::NETWORK_ERROR);

    // The vendor sees status and body, and maps its own error JSON.
    let error = client.send(&Request::get("/404")).unwrap_err();
    let http = error.http().expect("an HTTP error");
    assert_eq!(http.status, 404);
    let vendor: Value = http.json()?;
    assert_eq!(vendor["error"]["code"], "4");
    assert!(error.to_string().contains("HTTP 404"), "{error}");

    let any = client.send_any_status(&Request::get("/404"))?;
    assert_eq!(any.status(), 404);
    assert_eq!(any.header("content-type"), Some("application/json"));
    Ok(())
}

#[test]
fn decode_error_names_the_path() {
    let cert = test_cert();
    let server = TestServer::https(&cert, |_| {
        Reply::json(200, json!({"records": [{"size": "big"}]}))
    });
    let client = trusted(&server, &cert.ca_path);
    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Collection {
        records: Vec<Sized>,
    }
    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Sized {
        size: u64,
    }
    let error = client
        .send_json::<Collection>(&Request::get("/api/storage/luns"))
        .unwrap_err();
    let lsm = LsmError::from(error);
    assert_eq!(lsm.code, ErrorNumber::PLUGIN_BUG);
    assert!(lsm.message.contains("records[0].size"), "{}", lsm.message);
    assert!(lsm.message.contains("/api/storage/luns"), "{}", lsm.message);
}

#[test]
fn connection_refused() -> lsm_rest::Result<()> {
    let client = client(
        &format!(
            "ontap://admin@127.0.0.1:{}?no_ssl_verify=yes",
            closed_port()
        ),
        Duration::from_secs(10),
    )?;
    let error = client.send(&Request::get("/api/cluster")).unwrap_err();
    assert_eq!(
        error.error_number(),
        ErrorNumber::NETWORK_CONNREFUSED,
        "{error}"
    );
    Ok(())
}

#[test]
fn unknown_host_is_host_down() -> lsm_rest::Result<()> {
    let client = client(
        "ontap://admin@no-such-array.invalid:443",
        Duration::from_secs(20),
    )?;
    let error = client.send(&Request::get("/api/cluster")).unwrap_err();
    assert_eq!(
        error.error_number(),
        ErrorNumber::NETWORK_HOSTDOWN,
        "{error}"
    );
    Ok(())
}

#[test]
fn silent_server_times_out_within_the_timeout() -> lsm_rest::Result<()> {
    let (_listener, port) = silent_listener();
    let client = client(
        &format!("ontap://admin@127.0.0.1:{port}?no_ssl_verify=yes"),
        Duration::from_millis(700),
    )?;
    let error = client.send(&Request::get("/api/cluster")).unwrap_err();
    assert_eq!(error.error_number(), ErrorNumber::TIMEOUT, "{error}");
    // Ended by the client's own timeout, the one it was given.
    assert!(error.to_string().contains("(700ms)"), "{error}");
    Ok(())
}

#[test]
fn set_timeout_applies_to_the_next_request() -> lsm_rest::Result<()> {
    let (_listener, port) = silent_listener();
    let mut client = client(
        &format!("ontap://admin@127.0.0.1:{port}?no_ssl_verify=yes"),
        Duration::from_secs(600),
    )?;
    client.set_timeout(Duration::from_millis(500));
    assert_eq!(client.timeout(), Duration::from_millis(500));
    let error = client.send(&Request::get("/api/cluster")).unwrap_err();
    assert_eq!(error.error_number(), ErrorNumber::TIMEOUT, "{error}");
    // The new timeout, not the 600 s one.
    assert!(error.to_string().contains("(500ms)"), "{error}");
    Ok(())
}

#[test]
fn dropped_connection_is_network_error() -> lsm_rest::Result<()> {
    let before_tls = client(
        &format!(
            "ontap://admin@127.0.0.1:{}?no_ssl_verify=yes",
            dropping_peer()
        ),
        Duration::from_secs(10),
    )?;
    let error = before_tls.send(&Request::get("/api/cluster")).unwrap_err();
    assert_eq!(error.error_number(), ErrorNumber::NETWORK_ERROR, "{error}");

    let cert = test_cert();
    let server = TestServer::tls_then_drop(&cert);
    let after_tls = trusted(&server, &cert.ca_path);
    let error = after_tls.send(&Request::get("/api/cluster")).unwrap_err();
    assert_eq!(error.error_number(), ErrorNumber::NETWORK_ERROR, "{error}");
    Ok(())
}

#[test]
fn keep_alive_reuses_one_connection() -> lsm_rest::Result<()> {
    let cert = test_cert();
    let server = ok_server(&cert);
    let client = trusted(&server, &cert.ca_path);
    for _ in 0..5 {
        let _: Value = client.send_json(&Request::get("/api/cluster"))?;
    }
    assert_eq!(server.requests(), 5);
    assert_eq!(server.connections(), 1);
    Ok(())
}

/// ONTAP-style: `records` and `_links.next.href`, three pages of two.
fn href_pages(cert: &support::TestCert) -> TestServer {
    TestServer::https(cert, |seen| {
        let start: u64 = seen
            .path
            .split_once("start=")
            .and_then(|(_, n)| n.split('&').next()?.parse().ok())
            .unwrap_or(1);
        let mut body = json!({"records": [{"n": start}, {"n": start + 1}]});
        if start < 5 {
            body["_links"] =
                json!({"next": {"href": format!("/api/vols?start={}&max_records=2", start + 2)}});
        }
        Reply::json(200, body)
    })
}

fn read_href_page(response: &lsm_rest::Response) -> lsm_rest::Result<Page<u64>> {
    let body: Value = response.json()?;
    let records = body["records"]
        .as_array()
        .map(|items| items.iter().filter_map(|item| item["n"].as_u64()).collect())
        .unwrap_or_default();
    let next = match body["_links"]["next"]["href"].as_str() {
        Some(href) => NextPage::Href(href.to_string()),
        None => NextPage::Done,
    };
    Ok(Page { records, next })
}

#[test]
fn paging_follows_next_links_over_three_pages() -> lsm_rest::Result<()> {
    let cert = test_cert();
    let server = href_pages(&cert);
    let client = trusted(&server, &cert.ca_path);
    let first = Request::get("/api/vols").query("max_records", 2);
    let all = client.collect_pages(first.clone(), client.deadline(), read_href_page)?;
    assert_eq!(all, vec![1, 2, 3, 4, 5, 6]);
    assert_eq!(server.requests(), 3);

    // Streaming: taking two records reads one page only.
    let streamed: Vec<u64> = client
        .pages(first, client.deadline(), read_href_page)
        .take(2)
        .collect::<lsm_rest::Result<_>>()?;
    assert_eq!(streamed, vec![1, 2]);
    assert_eq!(server.requests(), 4);
    Ok(())
}

#[test]
fn paging_by_query_values() -> lsm_rest::Result<()> {
    // Unity-style: `page=N` on the first request, `links[rel=next].href = "&page=N"`.
    let cert = test_cert();
    let server = TestServer::https(&cert, |seen| {
        let page: u64 = seen
            .path
            .split_once("&page=")
            .and_then(|(_, n)| n.split('&').next()?.parse().ok())
            .unwrap_or(1);
        let mut links = vec![json!({"rel": "self", "href": format!("&page={page}")})];
        if page < 3 {
            links.push(json!({"rel": "next", "href": format!("&page={}", page + 1)}));
        }
        Reply::json(
            200,
            json!({"entries": [{"content": {"id": format!("sv_{page}")}}], "links": links}),
        )
    });
    let client = trusted(&server, &cert.ca_path);
    let ids = client.collect_pages(
        Request::get("/api/types/lun/instances").query("per_page", 1),
        client.deadline(),
        |response| {
            let body: Value = response.json()?;
            let records = body["entries"]
                .as_array()
                .map(|entries| {
                    entries
                        .iter()
                        .filter_map(|entry| entry["content"]["id"].as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default();
            let next = body["links"]
                .as_array()
                .and_then(|links| links.iter().find(|link| link["rel"] == "next"))
                .and_then(|link| {
                    link["href"]
                        .as_str()?
                        .rsplit_once('=')
                        .map(|(_, n)| n.to_string())
                });
            Ok(Page {
                records,
                next: next.map_or(NextPage::Done, |n| {
                    NextPage::Query(vec![("page".into(), n)])
                }),
            })
        },
    )?;
    assert_eq!(ids, vec!["sv_1", "sv_2", "sv_3"]);
    Ok(())
}

#[test]
fn paging_loop_and_foreign_links_are_refused() {
    let cert = test_cert();
    let server = TestServer::https(&cert, |seen| {
        let next = if seen.path.starts_with("/loop") {
            "/loop?a=1"
        } else {
            "https://elsewhere.example/api"
        };
        Reply::json(
            200,
            json!({"records": [], "_links": {"next": {"href": next}}}),
        )
    });
    let client = trusted(&server, &cert.ca_path);
    let looped = client
        .collect_pages(
            Request::get("/loop").query("a", 1),
            client.deadline(),
            read_href_page,
        )
        .unwrap_err();
    assert_eq!(looped.error_number(), ErrorNumber::PLUGIN_BUG);
    assert!(looped.to_string().contains("loop"), "{looped}");
    let foreign = client
        .collect_pages(Request::get("/start"), client.deadline(), read_href_page)
        .unwrap_err();
    assert_eq!(foreign.error_number(), ErrorNumber::PLUGIN_BUG);
    assert!(
        foreign.to_string().contains("leads off the array"),
        "{foreign}"
    );
    assert_eq!(server.requests(), 2);
}

#[test]
fn paging_stops_at_the_deadline() {
    let cert = test_cert();
    // Endless: every page links to the next.
    let server = TestServer::https(&cert, |seen| {
        let n: u64 = seen
            .path
            .rsplit_once('=')
            .and_then(|(_, n)| n.parse().ok())
            .unwrap_or(0);
        Reply::json(
            200,
            json!({"records": [{"n": n}], "_links": {"next": {"href": format!("/v?n={}", n + 1)}}}),
        )
    });
    let client = trusted(&server, &cert.ca_path);
    let error = client
        .collect_pages(
            Request::get("/v"),
            Deadline::after(Duration::from_millis(300)),
            read_href_page,
        )
        .unwrap_err();
    assert_eq!(error.error_number(), ErrorNumber::TIMEOUT, "{error}");
    assert!(
        error.to_string().contains("before the call's deadline"),
        "{error}"
    );
}

#[test]
fn retry_until_the_array_answers() -> lsm_rest::Result<()> {
    let cert = test_cert();
    let calls = Arc::new(AtomicUsize::new(0));
    let counted = calls.clone();
    let server = TestServer::https(&cert, move |_| {
        if counted.fetch_add(1, Ordering::SeqCst) < 2 {
            Reply::json(503, json!({"error": "busy"}))
        } else {
            Reply::json(200, json!({"ok": true}))
        }
    });
    let client = trusted(&server, &cert.ca_path);
    let request = Request::get("/api/x");
    let answer: Value = retry(client.deadline(), RestError::is_transient, || {
        client.send_json(&request)
    })?;
    assert_eq!(answer["ok"], true);
    assert_eq!(calls.load(Ordering::SeqCst), 3);
    Ok(())
}

#[test]
fn retry_gives_up_at_the_deadline_with_timeout() {
    let cert = test_cert();
    let server = TestServer::https(&cert, |_| Reply::json(503, json!({"error": "busy"})));
    let client = trusted(&server, &cert.ca_path);
    let deadline = Deadline::after(Duration::from_millis(600));
    let request = Request::get("/api/x").deadline(deadline);
    let error = retry(deadline, RestError::is_transient, || client.send(&request)).unwrap_err();
    assert_eq!(error.error_number(), ErrorNumber::TIMEOUT, "{error}");
    assert!(error.to_string().contains("HTTP 503"), "{error}");
    assert!(server.requests() >= 2);
    // The last wait was refused rather than slept past the deadline.
    assert!(Instant::now() < deadline.instant() + Duration::from_millis(500));
}

#[test]
fn a_request_ends_at_its_calls_deadline() -> lsm_rest::Result<()> {
    let (_listener, port) = silent_listener();
    let client = client(
        &format!("ontap://admin@127.0.0.1:{port}?no_ssl_verify=yes"),
        Duration::from_secs(600),
    )?;
    let request =
        Request::get("/api/cluster").deadline(Deadline::after(Duration::from_millis(400)));
    let error = client.send(&request).unwrap_err();
    assert_eq!(error.error_number(), ErrorNumber::TIMEOUT, "{error}");
    assert!(
        error.to_string().contains("before the call's deadline"),
        "{error}"
    );
    Ok(())
}
