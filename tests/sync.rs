//! Syncing from the simulator over loopback HTTP: completeness, faults,
//! late arrivals, status changes, errors, and resuming after SIGKILL.

use std::collections::HashSet;

use auditdesk_sim::FaultKind;

use crate::simulator::*;
use crate::util::Workspace;

#[test]
fn a_full_sync_holds_exactly_what_the_api_holds_and_a_second_adds_nothing() {
    let sim = serve(config(world(11, 3_000, 48), &rsa_keys().public_pem));
    let ws = Workspace::init();
    add_source(&ws, "redox", &sim, &rsa_keys().private_pem, &[]);
    assert_eq!(sim.sim.world().len(), 3_000);
    let first = ws.json(&["sync"]);
    assert_eq!(first["new"], 3_000, "{first}");
    let run = &first["sources"][0]["runs"][0];
    assert_eq!(run["status"], "completed");
    // 60 full pages; the empty 61st says the window is done.
    assert_eq!(run["pages"], 60, "3000 events at 50 a page: {run}");
    assert_holds_exactly(&ws, "redox", &visible_ids(&sim));

    let second = ws.json(&["sync"]);
    assert_eq!(second["new"], 0, "{second}");
    assert_eq!(ws.count(""), 3_000);
    let stats = assert_played_by_the_rules(&sim);
    assert_eq!(stats["tokens_issued"], 2, "one token per sync: {stats}");

    let list = ws.json(&["source", "list"]);
    let source = &list[0];
    assert_eq!(source["kind"], "redox");
    assert_eq!(source["events"], 3_000);
    assert_eq!(source["algorithm"], "RS384");
    assert_eq!(source["last_run"]["status"], "completed");
    assert!(source["watermark"].is_string());
    assert!(
        !list.to_string().contains("PRIVATE KEY"),
        "no key in the listing"
    );
    ws.ok(&["vault", "verify"]);
}

#[test]
fn faults_at_ten_percent_lose_nothing_and_double_nothing() {
    // ~200 pages: about 20 faults, so every kind is likely to happen.
    let mut cfg = config(world(12, 10_000, 24), &rsa_keys().public_pem);
    cfg.faults.rate = 0.10;
    cfg.faults.slow_ms = 400;
    let sim = serve(cfg);
    let ws = Workspace::init();
    // A slow answer outlives the client's patience: a timeout, retried.
    add_source(
        &ws,
        "redox",
        &sim,
        &rsa_keys().private_pem,
        &["--set", "timeout_ms=250"],
    );
    let out = ws.json(&["sync"]);
    assert_eq!(out["new"], 10_000, "{out}");
    assert_holds_exactly(&ws, "redox", &visible_ids(&sim));
    let stats = assert_played_by_the_rules(&sim);
    let faults = stats["faults"].as_object().unwrap();
    let kinds: HashSet<&str> = faults.keys().map(String::as_str).collect();
    assert!(kinds.len() >= 5, "most kinds of fault happened: {stats}");
    let retries = out["sources"][0]["runs"][0]["retries"].as_u64().unwrap();
    assert!(retries > 0, "{out}");
    if faults.contains_key("revoke") {
        assert!(
            stats["tokens_issued"].as_u64().unwrap() > 1,
            "a revoked token is replaced"
        );
    }
    ws.ok(&["vault", "verify"]);
}

#[test]
fn late_arrivals_inside_the_overlap_and_status_changes_are_caught_with_history() {
    let mut spec = world(13, 2_000, 2);
    spec.late_fraction = 0.2;
    // Late by less than the client's 60-minute overlap.
    spec.late_ms = (10 * 60_000, 55 * 60_000);
    spec.settle_ms = (20 * 60_000, 40 * 60_000);
    let sim = serve(config(spec, &rsa_keys().public_pem));
    let ws = Workspace::init();
    add_source(&ws, "redox", &sim, &rsa_keys().private_pem, &[]);

    let first = ws.json(&["sync"]);
    let visible_then = visible_ids(&sim);
    assert!(
        visible_then.len() < 2_000,
        "some events have not arrived yet"
    );
    assert_holds_exactly(&ws, "redox", &visible_then);
    let attempted = ws.json(&["search", "status:attempted"]);
    let interim: Vec<String> = attempted["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect();
    assert!(
        !interim.is_empty(),
        "some events are still interim: {first}"
    );

    // An hour later: the late events are there and every interim event is terminal.
    sim.sim.advance(3_600_000);
    let second = ws.json(&["sync"]);
    assert_holds_exactly(&ws, "redox", &visible_ids(&sim));
    assert_eq!(ws.count(""), 2_000);
    assert_eq!(ws.count("status:attempted"), 0, "{second}");
    let run = &second["sources"][0]["runs"][0];
    assert!(run["new"].as_u64().unwrap() > 0, "late arrivals: {run}");
    assert!(
        run["updated"].as_u64().unwrap() >= interim.len() as u64,
        "{run}"
    );
    for id in interim.iter().take(5) {
        let shown = ws.json(&["show", id]);
        let history: Vec<&str> = shown["status_history"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["status"].as_str().unwrap())
            .collect();
        assert_eq!(history.len(), 2, "{shown}");
        assert_eq!(history[0], "attempted");
        assert!(
            history[1] == "successful" || history[1] == "failed",
            "{history:?}"
        );
    }
    assert_played_by_the_rules(&sim);
    ws.ok(&["vault", "verify"]);
}

fn failing_sync(ws: &Workspace, code: &str) -> String {
    let out = ws.run(&["sync", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let body: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(body["error"]["code"], code, "{body}");
    body["error"]["message"].as_str().unwrap().to_string()
}

#[test]
fn a_403_says_who_may_read_audit_events_and_is_not_retried() {
    let mut cfg = config(world(14, 100, 2), &rsa_keys().public_pem);
    cfg.forbidden = true;
    let sim = serve(cfg);
    let ws = Workspace::init();
    add_source(&ws, "redox", &sim, &rsa_keys().private_pem, &[]);
    let message = failing_sync(&ws, "remote_forbidden");
    assert!(
        message.contains("organization owners and admins"),
        "{message}"
    );
    assert!(message.contains("auditing add-on"), "{message}");
    assert_eq!(sim.sim.stats()["forbidden"], 1, "a 403 is not retried");
    let list = ws.json(&["source", "list"]);
    assert_eq!(list[0]["last_run"]["status"], "failed");
    assert!(
        list[0]["last_run"]["error"]
            .as_str()
            .unwrap()
            .contains("403")
    );
}

#[test]
fn a_401_gets_one_new_token_and_one_retry_then_fails() {
    let mut cfg = config(world(15, 100, 2), &rsa_keys().public_pem);
    cfg.token_ttl_s = 0;
    let sim = serve(cfg);
    let ws = Workspace::init();
    add_source(&ws, "redox", &sim, &rsa_keys().private_pem, &[]);
    let message = failing_sync(&ws, "remote_unauthorized");
    assert!(message.contains("again with a fresh token"), "{message}");
    let stats = sim.sim.stats();
    assert_eq!(stats["unauthorized"], 2, "{stats}");
    assert_eq!(stats["tokens_issued"], 2, "{stats}");
}

#[test]
fn revoked_tokens_are_replaced_and_the_sync_goes_on() {
    let mut cfg = config(world(16, 1_500, 4), &rsa_keys().public_pem);
    cfg.faults.rate = 0.2;
    cfg.faults.kinds = vec![FaultKind::Revoke];
    let sim = serve(cfg);
    let ws = Workspace::init();
    add_source(&ws, "redox", &sim, &rsa_keys().private_pem, &[]);
    ws.json(&["sync"]);
    assert_holds_exactly(&ws, "redox", &visible_ids(&sim));
    let stats = assert_played_by_the_rules(&sim);
    assert!(stats["tokens_issued"].as_u64().unwrap() > 1, "{stats}");
}

#[test]
fn a_400_shows_the_response_body_and_is_not_retried() {
    let mut cfg = config(world(17, 100, 2), &rsa_keys().public_pem);
    cfg.max_history_days = Some(30);
    let sim = serve(cfg);
    let ws = Workspace::init();
    add_source(&ws, "redox", &sim, &rsa_keys().private_pem, &[]);
    let message = failing_sync(&ws, "remote_rejected");
    assert!(message.contains("400"), "{message}");
    assert!(
        message.contains("startDateTime must be within the last 30 days"),
        "{message}"
    );
    assert_eq!(sim.sim.stats()["bad_requests"], 1);
    // Within the API's history (relative to today, or the test expires),
    // the same source syncs.
    let since = (chrono::Utc::now() - chrono::Duration::days(7))
        .format("%Y-%m-%d")
        .to_string();
    let out = ws.json(&["sync", "--since", &since]);
    assert!(out["new"].as_u64().unwrap() > 0, "{out}");
}

#[test]
fn a_key_the_api_does_not_know_shows_the_token_error_verbatim() {
    let sim = serve(config(world(18, 100, 2), &rsa_keys().public_pem));
    let other = auditdesk_sim::keys::generate_p384().unwrap();
    let ws = Workspace::init();
    add_source(&ws, "redox", &sim, &other.private_pem, &[]);
    let message = failing_sync(&ws, "remote_auth");
    assert!(message.contains("invalid_client"), "{message}");
    assert!(
        message.contains("alg"),
        "the server's description is shown: {message}"
    );
    assert_eq!(sim.sim.stats()["tokens_issued"], 0);
}

#[test]
fn es384_and_pkcs1_keys_sign_accepted_assertions() {
    let ec = auditdesk_sim::keys::generate_p384().unwrap();
    let sim = serve(config(world(19, 200, 2), &ec.public_pem));
    let ws = Workspace::init();
    add_source(&ws, "ec", &sim, &ec.private_pem, &[]);
    assert_eq!(ws.json(&["sync"])["new"], 200);
    assert_eq!(ws.json(&["source", "list"])[0]["algorithm"], "ES384");

    let rsa = rsa_keys();
    let sim = serve(config(world(20, 200, 2), &rsa.public_pem));
    let ws = Workspace::init();
    add_source(
        &ws,
        "pkcs1",
        &sim,
        rsa.private_pkcs1_pem.as_deref().unwrap(),
        &[],
    );
    assert_eq!(ws.json(&["sync"])["new"], 200);
    let tested = ws.json(&["source", "test", "pkcs1"]);
    assert!(tested["first_page_events"].as_u64().unwrap() <= 50);
    assert_played_by_the_rules(&sim);
}

#[test]
fn bad_settings_and_keys_are_refused_when_the_source_is_added() {
    let sim = serve(config(world(21, 10, 1), &rsa_keys().public_pem));
    let ws = Workspace::init();
    let key = ws.write("k.pem", &rsa_keys().private_pem);
    let base = [
        "source",
        "add",
        "redox",
        "--name",
        "r",
        "--org",
        ORG,
        "--client-id",
        CLIENT,
        "--key-id",
        KID,
        "--host",
        &sim.url,
        "--private-key",
    ];
    let mut args = base.to_vec();
    args.extend([crate::util::path_str(&key), "--set", "page_size=100"]);
    let out = ws.run(&args);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("between 1 and 50"));
    let bad = ws.write(
        "bad.pem",
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
    );
    let mut args = base.to_vec();
    args.push(crate::util::path_str(&bad));
    let out = ws.run(&args);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("private key"));
    assert_eq!(ws.json(&["source", "list"]), serde_json::json!([]));
}

#[test]
fn removing_a_source_forgets_its_key_and_keeps_its_events() {
    let sim = serve(config(world(22, 120, 2), &rsa_keys().public_pem));
    let ws = Workspace::init();
    add_source(&ws, "gone", &sim, &rsa_keys().private_pem, &[]);
    ws.json(&["sync"]);
    let removed = ws.json(&["source", "remove", "gone"]);
    assert_eq!(removed["events_kept"], 120);
    assert_eq!(ws.json(&["source", "list"]), serde_json::json!([]));
    assert_eq!(ws.count("source:gone"), 120);
    let out = ws.run(&["sync", "--source", "gone"]);
    assert_eq!(out.status.code(), Some(1));
    ws.ok(&["vault", "verify"]);
}

#[test]
fn a_token_is_reused_until_thirty_seconds_before_it_expires() {
    // 20 s tokens are always within the 30 s margin: a new one per request.
    let mut cfg = config(world(23, 500, 2), &rsa_keys().public_pem);
    cfg.token_ttl_s = 20;
    let sim = serve(cfg);
    let ws = Workspace::init();
    add_source(&ws, "short", &sim, &rsa_keys().private_pem, &[]);
    ws.json(&["sync"]);
    let stats = assert_played_by_the_rules(&sim);
    assert_eq!(stats["tokens_issued"], stats["api_requests"], "{stats}");

    // 5-minute tokens: one for the whole sync.
    let sim = serve(config(world(24, 500, 2), &rsa_keys().public_pem));
    let ws = Workspace::init();
    add_source(&ws, "long", &sim, &rsa_keys().private_pem, &[]);
    ws.json(&["sync"]);
    let stats = assert_played_by_the_rules(&sim);
    assert_eq!(stats["tokens_issued"], 1, "{stats}");
    assert!(stats["api_requests"].as_u64().unwrap() > 10);
}

#[test]
fn the_demo_source_syncs_from_its_embedded_simulator_and_keeps_its_key_inside_the_vault() {
    let ws = Workspace::init();
    ws.ok(&["source", "add", "demo"]);
    let tested = ws.json(&["source", "test", "demo"]);
    assert_eq!(tested["algorithm"], "RS384");
    let first = ws.json(&["sync"]);
    let new = first["new"].as_u64().unwrap();
    assert!(new > 40_000, "a quarter of demo history: {new}");
    let second = ws.json(&["sync", "--source", "demo"]);
    assert_eq!(second["new"], 0, "the same world on every sync: {second}");
    assert_eq!(ws.count(""), new);
    let list = ws.json(&["source", "list"]);
    assert_eq!(list[0]["kind"], "demo");
    assert!(!list.to_string().contains("PRIVATE"));
    // Neither the key nor event data is readable in any file of the vault.
    for entry in std::fs::read_dir(&ws.vault).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("PRIVATE KEY") && !text.contains("log-payload-viewed"));
    }
    ws.ok(&["vault", "verify"]);
}

#[test]
fn sim_serve_runs_the_contract_for_a_key_it_generates() {
    use std::io::BufRead as _;
    let ws = Workspace::init();
    let key = ws.root.path().join("sim.pem");
    let mut child = ws
        .command(&[
            "sim",
            "serve",
            "--port",
            "0",
            "--events",
            "300",
            "--days",
            "2",
            "--faults",
            "0.1",
            "--slow-ms",
            "50",
            "--generate-key",
            crate::util::path_str(&key),
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let ready: serde_json::Value = serde_json::from_str(&line).unwrap();
    let url = ready["url"].as_str().unwrap().to_string();
    let mode =
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&key).unwrap().permissions());
    assert_eq!(
        mode & 0o777,
        0o600,
        "the generated key is private to its owner"
    );
    let mut args = vec![
        "source",
        "add",
        "redox",
        "--name",
        "sim",
        "--org",
        "4101",
        "--client-id",
        "sim-client",
        "--key-id",
        "sim-key",
        "--host",
        &url,
        "--private-key",
        crate::util::path_str(&key),
    ];
    args.extend_from_slice(QUICK);
    ws.ok(&args);
    let out = ws.json(&["sync"]);
    child.kill().ok();
    child.wait().ok();
    let events = ready["events"].as_u64().unwrap();
    assert!(events > 0);
    // Events of the last minute wait for the next sync (the lag).
    let new = out["new"].as_u64().unwrap();
    assert!(
        new <= events && new + 5 >= events,
        "{new} of {events}: {out}"
    );
}
