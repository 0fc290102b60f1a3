//! `geleit-bench sizes`: raw, gzip (level 9) and brotli (quality 11) sizes of
//! build outputs and, for WebAssembly, the largest contributors: function
//! bodies by name and by crate (from the `name` section), and data segments.

use std::collections::HashMap;
use std::io::Write;

use anyhow::Context;
use serde_json::json;

/// Raw, gzip and brotli sizes in bytes.
pub fn compressed_sizes(bytes: &[u8]) -> anyhow::Result<(usize, usize, usize)> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(bytes)?;
    let gzip = gz.finish()?.len();
    let mut br = Vec::new();
    {
        let params = brotli::enc::BrotliEncoderParams { quality: 11, lgwin: 22, ..Default::default() };
        brotli::BrotliCompress(&mut std::io::Cursor::new(bytes), &mut br, &params)?;
    }
    Ok((bytes.len(), gzip, br.len()))
}

/// Undoes Rust's symbol mangling, legacy (`_ZN6geleit3dns5check17h0123456789abcdefE`)
/// and v0 (`_RNv...`, what `-Zunstable-options` builds name their symbols),
/// with `rustc-demangle`, hash suffixes dropped (`geleit::dns::check`); names
/// that are not mangled (rustc's name section) only lose their `::h<hash>`.
pub fn demangle(name: &str) -> String {
    if let Ok(d) = rustc_demangle::try_demangle(name) {
        return format!("{d:#}");
    }
    let path = match name.rsplit_once("::h") {
        Some((path, hash)) if hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()) => path,
        _ => name,
    };
    tidy(&without_crate_hashes(path))
}

/// Drops the `[0123abcd]` crate disambiguators of rustc's name section
/// (`serde_json[6a9dc159fd173ac3]::de` → `serde_json::de`).
fn without_crate_hashes(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut rest = path;
    while let Some(i) = rest.find('[') {
        let (head, tail) = rest.split_at(i);
        out.push_str(head);
        let hash = tail[1..].find(']').map(|end| &tail[1..=end]);
        match hash {
            Some(h) if !h.is_empty() && h.bytes().all(|b| b.is_ascii_hexdigit()) => rest = &tail[h.len() + 2..],
            _ => {
                out.push('[');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Decodes legacy-mangling escapes and the `_` rustc puts before a leading `<`.
fn tidy(path: &str) -> String {
    let p = path
        .replace("$LT$", "<")
        .replace("$GT$", ">")
        .replace("$u20$", " ")
        .replace("$u7b$", "{")
        .replace("$u7d$", "}")
        .replace("$C$", ",")
        .replace("..", "::");
    match p.strip_prefix("_<") {
        Some(r) => format!("<{r}"),
        None => p,
    }
}

/// The crate a demangled path belongs to (`<T as crate::Trait>::f` → the
/// crate of `T`); `?` for names without a path.
pub fn crate_of(path: &str) -> String {
    let p = path.trim_start_matches('<').trim_start_matches('&').trim_start_matches("mut ");
    match p.split_once("::") {
        Some((c, _)) if !c.is_empty() && c.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') => c.to_owned(),
        _ if ["fiat_", "ecp_nistz", "p256_", "p384_", "x25519_", "ring_core_", "GFp_", "bn_", "LIMBS_", "CRYPTO_"]
            .iter()
            .any(|p| path.starts_with(p)) =>
        {
            "ring (C)".to_owned()
        }
        _ => "other (no Rust path: C code, builtins, glue)".to_owned(),
    }
}

/// Function body sizes (with names) and total data-segment size of a module.
pub fn wasm_contributors(bytes: &[u8]) -> anyhow::Result<(Vec<(String, usize)>, usize)> {
    use wasmparser::{KnownCustom, Name, Parser, Payload, TypeRef};
    let mut imported = 0u32;
    let mut bodies: Vec<usize> = Vec::new();
    let mut names: HashMap<u32, String> = HashMap::new();
    let mut data = 0usize;
    for payload in Parser::new(0).parse_all(bytes) {
        match payload.context("expected a WebAssembly module")? {
            Payload::ImportSection(r) => {
                for imp in r.into_imports() {
                    if matches!(imp?.ty, TypeRef::Func(_)) {
                        imported += 1;
                    }
                }
            }
            Payload::CodeSectionEntry(body) => bodies.push(body.range().len()),
            Payload::DataSection(r) => data += r.range().len(),
            Payload::CustomSection(c) => {
                if let KnownCustom::Name(reader) = c.as_known() {
                    for sub in reader {
                        if let Ok(Name::Function(map)) = sub {
                            for naming in map.into_iter().flatten() {
                                names.insert(naming.index, naming.name.to_owned());
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    let funcs = bodies
        .into_iter()
        .enumerate()
        .map(|(i, size)| {
            let index = imported.saturating_add(u32::try_from(i).unwrap_or(u32::MAX));
            let name = names.get(&index).map_or_else(|| format!("function[{index}]"), |n| demangle(n));
            (name, size)
        })
        .collect();
    Ok((funcs, data))
}

/// One size record's fields for a file.
pub fn file_fields(path: &std::path::Path, top: usize) -> anyhow::Result<serde_json::Map<String, serde_json::Value>> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let (raw, gzip, brotli) = compressed_sizes(&bytes)?;
    let mut m = serde_json::Map::new();
    m.insert("raw".into(), raw.into());
    m.insert("gzip".into(), gzip.into());
    m.insert("brotli".into(), brotli.into());
    if path.extension().is_some_and(|e| e == "wasm") {
        let (mut funcs, data) = wasm_contributors(&bytes)?;
        let mut by_crate: HashMap<String, usize> = HashMap::new();
        for (n, s) in &funcs {
            *by_crate.entry(crate_of(n)).or_default() += s;
        }
        let mut crates: Vec<(String, usize)> = by_crate.into_iter().collect();
        crates.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        funcs.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let code: usize = funcs.iter().map(|f| f.1).sum();
        let named = funcs.iter().any(|(n, _)| !n.starts_with("function["));
        m.insert("functions".into(), funcs.len().into());
        m.insert("code_bytes".into(), code.into());
        m.insert("data_bytes".into(), data.into());
        if !named {
            return Ok(m); // no name section: nothing to attribute
        }
        m.insert("top_crates".into(), crates.iter().take(top).map(|(n, s)| json!({"name": n, "bytes": s})).collect());
        m.insert("top_functions".into(), funcs.iter().take(top).map(|(n, s)| json!({"name": n, "bytes": s})).collect());
    }
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compressed_sizes_are_smaller_for_repetitive_input() {
        let data = b"geleit ".repeat(1000);
        let (raw, gz, br) = compressed_sizes(&data).unwrap();
        assert_eq!(raw, 7000);
        assert!(gz < 200 && br < 200, "gzip {gz}, brotli {br}");
        // Round trip proves the brotli stream is real.
        let mut out = Vec::new();
        let mut enc = Vec::new();
        let params = brotli::enc::BrotliEncoderParams { quality: 11, ..Default::default() };
        brotli::BrotliCompress(&mut std::io::Cursor::new(&data), &mut enc, &params).unwrap();
        brotli::BrotliDecompress(&mut std::io::Cursor::new(&enc), &mut out).unwrap();
        assert_eq!(out, data);
    }

    #[test]
    fn demangles_legacy_rust_symbols() {
        assert_eq!(demangle("_ZN6geleit3dns5check17h0123456789abcdefE"), "geleit::dns::check");
        assert_eq!(
            demangle("_ZN58_$LT$alloc..string..String$u20$as$u20$core..fmt..Write$GT$9write_str17h0123456789abcdefE"),
            "<alloc::string::String as core::fmt::Write>::write_str"
        );
        assert_eq!(demangle("__wbindgen_malloc"), "__wbindgen_malloc");
        assert_eq!(demangle("geleit::dns::prove::h58b2ec09d41b57be"), "geleit::dns::prove");
        assert_eq!(demangle("a::hello"), "a::hello");
        assert_eq!(
            demangle("_<core::iter::Map<I,F> as core::iter::Iterator>::fold::h0123456789abcdef"),
            "<core::iter::Map<I,F> as core::iter::Iterator>::fold"
        );
        assert_eq!(demangle("app::run::_$u7b$$u7b$closure$u7d$$u7d$::h0123456789abcdef"), "app::run::_{{closure}}");
        assert_eq!(crate_of("<core::iter::Map<I,F> as core::iter::Iterator>::fold"), "core");
        assert_eq!(demangle("_ZN99toolong"), "_ZN99toolong");
        assert_eq!(
            demangle("<&mut serde_json[6a9dc159fd173ac3]::de::Deserializer<[u8; 4]>>::f"),
            "<&mut serde_json::de::Deserializer<[u8; 4]>>::f"
        );
        // v0 mangling (builds with -Zunstable-options flags).
        assert_eq!(
            demangle("_RNvMNtNtCsiaV8wtM4pSp_13hickory_proto2rr11record_dataNtB2_5RData4read"),
            "<hickory_proto::rr::record_data::RData>::read"
        );
        assert_eq!(crate_of("geleit::dns::check"), "geleit");
        assert_eq!(crate_of("<ring::digest::Context as core::Clone>::clone"), "ring");
        assert_eq!(crate_of("memcpy"), "other (no Rust path: C code, builtins, glue)");
        assert_eq!(crate_of("fiat_p256_mul"), "ring (C)");
    }

    /// A hand-assembled module: one imported function, two bodies (3 and 5
    /// bytes), names for both, a 4-byte data segment.
    #[test]
    fn lists_function_bodies_with_names() {
        let module: Vec<u8> = [
            &b"\0asm\x01\0\0\0"[..],
            // type section: one type () -> ()
            &[1, 4, 1, 0x60, 0, 0],
            // import section: "m" "f" func type 0
            &[2, 7, 1, 1, b'm', 1, b'f', 0, 0],
            // function section: two functions of type 0
            &[3, 3, 2, 0, 0],
            // memory section: one memory, min 1
            &[5, 3, 1, 0, 1],
            // code section: bodies of size 2 (+1 length byte = 3) and 4 (+1 = 5)
            &[10, 9, 2, 2, 0, 0x0b, 4, 0, 0x01, 0x01, 0x0b],
            // data section: one active segment, 4 bytes
            &[11, 10, 1, 0, 0x41, 0, 0x0b, 4, 1, 2, 3, 4],
            // name section: function names 1 -> "small", 2 -> "big"
            &[0, 20, 4, b'n', b'a', b'm', b'e', 1, 13, 2, 1, 5, b's', b'm', b'a', b'l', b'l', 2, 3, b'b', b'i', b'g'],
        ]
        .concat();
        let (funcs, data) = wasm_contributors(&module).unwrap();
        assert_eq!(funcs.len(), 2);
        assert_eq!(funcs[0].0, "small");
        assert_eq!(funcs[1].0, "big");
        assert!(funcs[1].1 > funcs[0].1);
        assert!(data >= 4, "data section {data}");
        assert!(wasm_contributors(b"not wasm").is_err());
    }
}
