//! Reading an import file: CSV, JSON (an array of objects) or NDJSON (one
//! object per line), streamed record by record so memory does not grow
//! with the file. Every record comes out as its line and its cells by
//! column name; what cannot be read becomes an error with its line (and
//! column when there is one), never a panic or a silently dropped cell.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};

use serde::de::{DeserializeSeed, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

use super::ImportIssue;

/// The largest cell read (a larger one is an error, not a truncation).
pub const MAX_CELL_BYTES: usize = 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum FileFormat {
    Csv,
    Json,
    Ndjson,
}

impl FileFormat {
    /// The format a file name's extension says (`.csv`, `.json`,
    /// `.ndjson`/`.jsonl`).
    pub fn from_name(name: &str) -> Option<Self> {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".csv") {
            Some(FileFormat::Csv)
        } else if lower.ends_with(".ndjson") || lower.ends_with(".jsonl") {
            Some(FileFormat::Ndjson)
        } else if lower.ends_with(".json") {
            Some(FileFormat::Json)
        } else {
            None
        }
    }
}

/// One record: its line in the file (1 is a CSV's header) and its cells.
/// A cell that is absent (a JSON object without the key) is not in `cells`;
/// an empty CSV cell is an empty string.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub line: u64,
    pub cells: HashMap<String, String>,
}

/// What the reader hands on: records, or an error tied to a line.
#[derive(Debug)]
pub enum Item {
    /// The column names (CSV: the header; JSON: filled as keys are seen).
    Header(Vec<String>),
    Record(Record),
    Issue(ImportIssue),
    /// The file cannot be read further (what follows is lost): the run
    /// fails whatever its mode.
    Fatal(ImportIssue),
}

fn issue(line: u64, column: Option<&str>, message: impl Into<String>) -> ImportIssue {
    ImportIssue {
        line,
        column: column.map(str::to_string),
        message: message.into(),
    }
}

/// Reads `input` in `format`, calling `each` for every item in file order.
/// `each` returns false to stop (a cancel). A failure to read the file at
/// all (an I/O error, JSON that is not an array) ends with an issue.
pub fn read(input: impl Read, format: FileFormat, each: &mut dyn FnMut(Item) -> bool) {
    match format {
        FileFormat::Csv => read_csv(input, each),
        FileFormat::Ndjson => read_ndjson(input, each),
        FileFormat::Json => read_json(input, each),
    }
}

fn read_csv(input: impl Read, each: &mut dyn FnMut(Item) -> bool) {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(input);
    let mut header: Option<Vec<String>> = None;
    let mut record = csv::ByteRecord::new();
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => return,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                each(Item::Fatal(issue(
                    line,
                    None,
                    format!("unreadable CSV: {e}"),
                )));
                return;
            }
        }
        let line = record.position().map_or(0, |p| p.line());
        let Some(columns) = &header else {
            let mut names = Vec::with_capacity(record.len());
            for (i, raw) in record.iter().enumerate() {
                let raw = if i == 0 {
                    raw.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(raw)
                } else {
                    raw
                };
                match std::str::from_utf8(raw) {
                    Ok(s) => names.push(s.trim().to_string()),
                    Err(_) => {
                        each(Item::Issue(issue(
                            line,
                            None,
                            format!("column {} of the header is not UTF-8 text", i + 1),
                        )));
                        return;
                    }
                }
            }
            if !each(Item::Header(names.clone())) {
                return;
            }
            header = Some(names);
            continue;
        };
        if record.len() == 1 && record.get(0).is_some_and(<[u8]>::is_empty) {
            continue; // a blank line
        }
        if record.len() != columns.len() {
            let go = each(Item::Issue(issue(
                line,
                None,
                format!(
                    "{} cells where the header has {} columns",
                    record.len(),
                    columns.len()
                ),
            )));
            if !go {
                return;
            }
            continue;
        }
        let mut cells = HashMap::with_capacity(columns.len());
        let mut bad: Option<ImportIssue> = None;
        for (name, raw) in columns.iter().zip(record.iter()) {
            if raw.len() > MAX_CELL_BYTES {
                bad = Some(issue(
                    line,
                    Some(name),
                    format!(
                        "the cell holds {} bytes; at most {} are read",
                        raw.len(),
                        MAX_CELL_BYTES
                    ),
                ));
                break;
            }
            match std::str::from_utf8(raw) {
                Ok(s) => {
                    cells.insert(name.clone(), s.to_string());
                }
                Err(_) => {
                    bad = Some(issue(
                        line,
                        Some(name),
                        "not UTF-8 text (save the file as UTF-8)",
                    ));
                    break;
                }
            }
        }
        let go = match bad {
            Some(i) => each(Item::Issue(i)),
            None => each(Item::Record(Record { line, cells })),
        };
        if !go {
            return;
        }
    }
}

/// The cells of one JSON object (nested values as their JSON text).
fn object_cells(
    line: u64,
    value: serde_json::Value,
) -> Result<HashMap<String, String>, ImportIssue> {
    let serde_json::Value::Object(map) = value else {
        return Err(issue(line, None, "each record must be a JSON object"));
    };
    let mut cells = HashMap::with_capacity(map.len());
    for (k, v) in map {
        let text = match v {
            serde_json::Value::Null => String::new(),
            serde_json::Value::String(s) => s,
            serde_json::Value::Array(items) if items.iter().all(serde_json::Value::is_string) => {
                items
                    .iter()
                    .filter_map(|i| i.as_str())
                    .collect::<Vec<_>>()
                    .join(";")
            }
            other => other.to_string(),
        };
        if text.len() > MAX_CELL_BYTES {
            return Err(issue(
                line,
                Some(&k),
                format!(
                    "the value holds {} bytes; at most {} are read",
                    text.len(),
                    MAX_CELL_BYTES
                ),
            ));
        }
        cells.insert(k, text);
    }
    Ok(cells)
}

fn read_ndjson(input: impl Read, each: &mut dyn FnMut(Item) -> bool) {
    let mut reader = BufReader::new(input);
    let mut buf = Vec::new();
    let mut line = 0u64;
    let mut seen: Vec<String> = Vec::new();
    loop {
        buf.clear();
        match reader.read_until(b'\n', &mut buf) {
            Ok(0) => return,
            Ok(_) => {}
            Err(e) => {
                each(Item::Fatal(issue(
                    line + 1,
                    None,
                    format!("unreadable: {e}"),
                )));
                return;
            }
        }
        line += 1;
        let text = match std::str::from_utf8(&buf) {
            Ok(t) => t.trim(),
            Err(_) => {
                if !each(Item::Issue(issue(line, None, "not UTF-8 text"))) {
                    return;
                }
                continue;
            }
        };
        let text = if line == 1 {
            text.trim_start_matches('\u{feff}')
        } else {
            text
        };
        if text.is_empty() {
            continue;
        }
        let item = match serde_json::from_str::<serde_json::Value>(text) {
            Ok(v) => match object_cells(line, v) {
                Ok(cells) => {
                    let new: Vec<String> = cells
                        .keys()
                        .filter(|k| !seen.contains(k))
                        .cloned()
                        .collect();
                    if !new.is_empty() {
                        seen.extend(new);
                        if !each(Item::Header(seen.clone())) {
                            return;
                        }
                    }
                    Item::Record(Record { line, cells })
                }
                Err(i) => Item::Issue(i),
            },
            Err(e) => Item::Issue(issue(line, None, format!("not JSON: {e}"))),
        };
        if !each(item) {
            return;
        }
    }
}

/// Counts lines as the JSON reader consumes bytes, so a record's line is
/// known without holding the file.
struct LineCounter<R> {
    inner: R,
    line: std::rc::Rc<std::cell::Cell<u64>>,
}

impl<R: Read> Read for LineCounter<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let newlines = buf[..n].iter().filter(|b| **b == b'\n').count() as u64;
        self.line.set(self.line.get() + newlines);
        Ok(n)
    }
}

fn read_json(input: impl Read, each: &mut dyn FnMut(Item) -> bool) {
    let line = std::rc::Rc::new(std::cell::Cell::new(1u64));
    let counter = LineCounter {
        inner: BufReader::new(input),
        line: line.clone(),
    };
    let mut de = serde_json::Deserializer::from_reader(counter);
    struct Records<'a> {
        each: &'a mut dyn FnMut(Item) -> bool,
        line: std::rc::Rc<std::cell::Cell<u64>>,
        seen: Vec<String>,
    }
    impl<'de> Visitor<'de> for &mut Records<'_> {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an array of objects")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
            while let Some(value) = seq.next_element::<serde_json::Value>()? {
                // The reader is buffered: the count is where reading got to,
                // at most a buffer ahead of the record.
                let line = self.line.get();
                let item = match object_cells(line, value) {
                    Ok(cells) => {
                        let new: Vec<String> = cells
                            .keys()
                            .filter(|k| !self.seen.contains(k))
                            .cloned()
                            .collect();
                        if !new.is_empty() {
                            self.seen.extend(new);
                            if !(self.each)(Item::Header(self.seen.clone())) {
                                return Ok(());
                            }
                        }
                        Item::Record(Record { line, cells })
                    }
                    Err(i) => Item::Issue(i),
                };
                if !(self.each)(item) {
                    return Ok(());
                }
            }
            Ok(())
        }
    }
    impl<'de> DeserializeSeed<'de> for &mut Records<'_> {
        type Value = ();
        fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
            d.deserialize_seq(self)
        }
    }
    let mut records = Records {
        each,
        line: line.clone(),
        seen: Vec::new(),
    };
    if let Err(e) = (&mut records).deserialize(&mut de) {
        (records.each)(Item::Fatal(issue(
            e.line() as u64,
            None,
            format!("not a JSON array of objects: {e}"),
        )));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(text: &[u8], format: FileFormat) -> Vec<Item> {
        let mut out = Vec::new();
        read(text, format, &mut |i| {
            out.push(i);
            true
        });
        out
    }

    #[test]
    fn csv_reports_ragged_rows_bad_encoding_and_huge_cells_by_line() {
        let mut text = b"external_id,name\nA,Alpha\nB\nC,\xff\xfe\n".to_vec();
        text.extend_from_slice(b"D,");
        text.extend(std::iter::repeat_n(b'x', MAX_CELL_BYTES + 1));
        text.extend_from_slice(b"\nE,\"multi\nline\"\n");
        let items = all(&text, FileFormat::Csv);
        let lines: Vec<String> = items
            .iter()
            .map(|i| match i {
                Item::Header(h) => format!("header {}", h.join("|")),
                Item::Record(r) => format!("{} ok {}", r.line, r.cells["external_id"]),
                Item::Issue(i) | Item::Fatal(i) => {
                    format!("{} {:?} {}", i.line, i.column, i.message)
                }
            })
            .collect();
        assert_eq!(lines[0], "header external_id|name");
        assert_eq!(lines[1], "2 ok A");
        assert!(lines[2].starts_with("3 None 1 cells"), "{}", lines[2]);
        assert!(
            lines[3].starts_with("4 Some(\"name\") not UTF-8"),
            "{}",
            lines[3]
        );
        assert!(
            lines[4].starts_with("5 Some(\"name\") the cell holds"),
            "{}",
            lines[4]
        );
        assert_eq!(lines[5], "6 ok E");
    }

    #[test]
    fn json_and_ndjson_give_records_with_lines() {
        let items = all(
            b"[\n{\"external_id\": \"A\", \"n\": 1},\n{\"external_id\": \"B\", \"tags\": [\"x\", \"y\"]}\n]",
            FileFormat::Json,
        );
        let recs: Vec<&Record> = items
            .iter()
            .filter_map(|i| match i {
                Item::Record(r) => Some(r),
                _ => None,
            })
            .collect();
        assert_eq!(recs.len(), 2);
        assert_eq!(recs[0].cells["n"], "1");
        assert_eq!(recs[1].cells["tags"], "x;y");
        let items = all(b"{\"a\": \"1\"}\n\nnot json\n[1]\n", FileFormat::Ndjson);
        let issues: Vec<u64> = items
            .iter()
            .filter_map(|i| match i {
                Item::Issue(i) => Some(i.line),
                _ => None,
            })
            .collect();
        assert_eq!(issues, vec![3, 4]);
        let items = all(b"{\"not\": \"an array\"}", FileFormat::Json);
        assert!(matches!(items.last(), Some(Item::Fatal(_))));
    }
}
