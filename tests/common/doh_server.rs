//! A DoH server answering from a recording (tests/data/dns), for offline CLI
//! tests: the support crate's RFC 8484 server (tests/support/src/doh.rs)
//! with a lookup in the recording as its handler. It can fail questions
//! with HTTP 502, as a busy or broken DoH front does.

#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use geleit_test_support::doh::Reply;

/// Which requests get HTTP 502 Bad Gateway instead of their answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failing {
    /// The first request for every question.
    FirstAttempt,
    /// Every request for this question (lowercase name, type).
    Always(String, String),
}

/// A running server: its endpoint URL, and the questions it failed, once per
/// failed request.
pub struct Doh {
    pub url: String,
    pub failed: Arc<Mutex<Vec<(String, String)>>>,
}

/// Starts the server on a free port; returns the endpoint URL. The thread
/// lives as long as the test process.
pub fn serve(responses: HashMap<(String, String), Vec<u8>>) -> String {
    geleit_test_support::doh::serve(move |name, rtype, _| responses.get(&(name.to_owned(), rtype.to_owned())).cloned())
}

/// As [`serve`], failing requests as `failing` says.
pub fn serve_failing(responses: HashMap<(String, String), Vec<u8>>, failing: Failing) -> Doh {
    let failed = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&failed);
    let asked: Mutex<Vec<(String, String)>> = Mutex::new(Vec::new());
    let url = geleit_test_support::doh::serve_replies(move |name, rtype, _| {
        let key = (name.to_owned(), rtype.to_owned());
        let before = asked.lock().map(|mut a| {
            let n = a.iter().filter(|k| **k == key).count();
            a.push(key.clone());
            n
        });
        let fail = match &failing {
            Failing::FirstAttempt => before.is_ok_and(|n| n == 0),
            Failing::Always(n, t) => key.0 == *n && key.1 == *t,
        };
        if fail {
            log.lock().map(|mut l| l.push(key)).ok();
            return Reply::Status(502, "Bad Gateway");
        }
        responses.get(&key).cloned().map_or(Reply::Status(404, "Not Found"), Reply::Answer)
    });
    Doh { url, failed }
}
