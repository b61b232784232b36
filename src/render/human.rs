//! Output for people: a term as a short card, lists as aligned columns. Colour only when the
//! style says so; all glossary text goes through `sanitize` first.

use std::io::{self, Write};

use colored::{ColoredString, Colorize};

use super::sanitize::sanitize;
use super::{Language, RelatedTerm, Style};
use crate::glossary::{Problem, Term};
use crate::graph::Relation;
use crate::matching::{Candidate, SearchHit};

fn paint(text: &str, style: &Style, how: fn(&str) -> ColoredString) -> String {
    if style.color {
        how(text).to_string()
    } else {
        text.to_string()
    }
}

fn title(text: &str) -> ColoredString {
    text.bold()
}
fn chinese(text: &str) -> ColoredString {
    text.bold().cyan()
}
fn label(text: &str) -> ColoredString {
    text.dimmed()
}
fn accent(text: &str) -> ColoredString {
    text.green()
}

/// Terms as cards separated by blank lines.
pub fn write_terms(out: &mut dyn Write, terms: &[&Term], style: &Style) -> io::Result<()> {
    for (position, term) in terms.iter().enumerate() {
        if position > 0 {
            writeln!(out)?;
        }
        write_term(out, term, style)?;
    }
    Ok(())
}

fn write_term(out: &mut dyn Write, term: &Term, style: &Style) -> io::Result<()> {
    let mut heading = String::new();
    if !term.abbr.is_empty() {
        heading.push_str(&paint(&sanitize(&term.abbr.join(", ")), style, accent));
        heading.push_str(" — ");
    }
    heading.push_str(&paint(&sanitize(&term.en), style, title));
    heading.push_str(" · ");
    heading.push_str(&paint(&sanitize(&term.zh), style, chinese));
    writeln!(out, "{heading}")?;

    let mut facts = vec![format!(
        "{} {}",
        paint("id", style, label),
        sanitize(&term.id)
    )];
    if !term.tags.is_empty() {
        facts.push(format!(
            "{} {}",
            paint("tags", style, label),
            sanitize(&term.tags.join(", "))
        ));
    }
    if let Some(year) = term.year {
        facts.push(format!("{} {year}", paint("year", style, label)));
    }
    if let Some(by) = &term.by {
        facts.push(format!("{} {}", paint("by", style, label), sanitize(by)));
    }
    writeln!(out, "{}", facts.join("   "))?;
    if !term.aliases.is_empty() {
        writeln!(
            out,
            "{} {}",
            paint("aliases", style, label),
            sanitize(&term.aliases.join(", "))
        )?;
    }
    for language in &style.languages {
        let text = match language {
            Language::English => &term.definition.en,
            Language::Chinese => &term.definition.zh,
        };
        writeln!(out)?;
        writeln!(out, "{}", sanitize(text))?;
    }
    let links = [("broader", &term.broader), ("related", &term.related)];
    let mut wrote_gap = false;
    for (name, ids) in links {
        if ids.is_empty() {
            continue;
        }
        if !wrote_gap {
            writeln!(out)?;
            wrote_gap = true;
        }
        writeln!(
            out,
            "{} {}",
            paint(&format!("{name}:"), style, label),
            sanitize(&ids.join(", "))
        )?;
    }
    for reference in &term.refs {
        if !wrote_gap {
            writeln!(out)?;
            wrote_gap = true;
        }
        writeln!(
            out,
            "{} {}",
            paint("ref:", style, label),
            sanitize(reference)
        )?;
    }
    Ok(())
}

/// `--explain`: the top candidates and how each score was made.
/// `candidates` pairs each candidate with its term's id.
pub fn write_explain(
    out: &mut dyn Write,
    query: &str,
    candidates: &[(&str, &Candidate)],
) -> io::Result<()> {
    writeln!(out, "candidates for '{}':", sanitize(query))?;
    if candidates.is_empty() {
        writeln!(out, "  (none scored high enough to list)")?;
    }
    for (rank, (id, candidate)) in candidates.iter().enumerate() {
        let key = &candidate.key;
        writeln!(
            out,
            "  {:>2}. {:<24} {:.3}  {:<11} key '{}': {}",
            rank + 1,
            sanitize(id),
            candidate.scored.score,
            candidate.scored.kind.name(),
            sanitize(&key.text),
            candidate.scored.why
        )?;
    }
    Ok(())
}

/// Search results: one line of names, one line of snippet.
pub fn write_search(
    out: &mut dyn Write,
    hits: &[(&Term, &SearchHit)],
    style: &Style,
) -> io::Result<()> {
    for (term, hit) in hits {
        writeln!(
            out,
            "{}  {} · {}",
            paint(&sanitize(&term.id), style, accent),
            paint(&sanitize(&term.en), style, title),
            paint(&sanitize(&term.zh), style, chinese)
        )?;
        writeln!(out, "    {}", sanitize(&hit.snippet))?;
    }
    Ok(())
}

/// `related`: the term, then one group per relation.
pub fn write_related(
    out: &mut dyn Write,
    term: &Term,
    reached: &[RelatedTerm],
    style: &Style,
) -> io::Result<()> {
    writeln!(
        out,
        "{} · {} ({})",
        paint(&sanitize(&term.en), style, title),
        paint(&sanitize(&term.zh), style, chinese),
        sanitize(&term.id)
    )?;
    if reached.is_empty() {
        writeln!(out, "no related terms")?;
    }
    let width = reached
        .iter()
        .map(|r| sanitize(r.id).chars().count())
        .max()
        .unwrap_or(0);
    for relation in Relation::ALL {
        let group: Vec<&RelatedTerm> = reached.iter().filter(|r| r.relation == relation).collect();
        if group.is_empty() {
            continue;
        }
        writeln!(out)?;
        writeln!(out, "{}", paint(relation.label(), style, label))?;
        for item in group {
            let other = item;
            let via = if item.depth > 1 {
                format!("  (via {})", sanitize(item.via))
            } else {
                String::new()
            };
            let id = format!("{:<width$}", sanitize(other.id));
            writeln!(
                out,
                "  {}  {} · {}{via}",
                paint(&id, style, accent),
                sanitize(other.en),
                sanitize(other.zh)
            )?;
        }
    }
    Ok(())
}

/// `related --format dot`: a Graphviz digraph of the walk.
pub fn write_related_dot(
    out: &mut dyn Write,
    start: &Term,
    reached: &[RelatedTerm],
) -> io::Result<()> {
    let quote = |text: &str| {
        format!(
            "\"{}\"",
            sanitize(text).replace('\\', "\\\\").replace('"', "\\\"")
        )
    };
    writeln!(out, "digraph related {{")?;
    writeln!(out, "  rankdir=LR;")?;
    writeln!(out, "  node [shape=box];")?;
    let nodes = std::iter::once((start.id.as_str(), start.en.as_str(), start.zh.as_str()))
        .chain(reached.iter().map(|r| (r.id, r.en, r.zh)));
    for (position, (id, en, zh)) in nodes.enumerate() {
        let label = format!("{en}\n{zh}");
        let bold = if position == 0 { ", style=bold" } else { "" };
        writeln!(
            out,
            "  {} [label={}{bold}];",
            quote(id),
            quote(&label).replace("\\\n", "\\n").replace('\n', "\\n")
        )?;
    }
    for item in reached {
        let (from, to) = (quote(item.via), quote(item.id));
        let edge = match item.relation {
            Relation::Broader => format!("  {from} -> {to} [label=\"broader\", style=bold];"),
            Relation::Narrower => format!("  {to} -> {from} [label=\"broader\", style=bold];"),
            Relation::Related => format!("  {from} -> {to} [label=\"related\"];"),
            Relation::ReferencedBy => format!("  {to} -> {from} [label=\"related\"];"),
        };
        writeln!(out, "{edge}")?;
    }
    writeln!(out, "}}")
}

/// `list` for people: id, English and Chinese names in aligned columns.
pub fn write_list(out: &mut dyn Write, terms: &[&Term], style: &Style) -> io::Result<()> {
    let id_width = terms
        .iter()
        .map(|term| sanitize(&term.id).chars().count())
        .max()
        .unwrap_or(0);
    let en_width = terms
        .iter()
        .map(|term| sanitize(&term.en).chars().count())
        .max()
        .unwrap_or(0);
    for term in terms {
        let id = format!("{:<id_width$}", sanitize(&term.id));
        let en = format!("{:<en_width$}", sanitize(&term.en));
        writeln!(
            out,
            "{}  {}  {}",
            paint(&id, style, accent),
            en,
            sanitize(&term.zh)
        )?;
    }
    Ok(())
}

/// `list --plain`: `id<TAB>en<TAB>zh`, one term a line, never coloured: the stable format
/// for fzf and scripts.
pub fn write_plain_list(out: &mut dyn Write, terms: &[&Term]) -> io::Result<()> {
    for term in terms {
        writeln!(
            out,
            "{}\t{}\t{}",
            sanitize(&term.id),
            sanitize(&term.en),
            sanitize(&term.zh)
        )?;
    }
    Ok(())
}

/// `tags`: each tag with its number of terms, most used first.
pub fn write_tags(out: &mut dyn Write, tags: &[(String, usize)], style: &Style) -> io::Result<()> {
    let width = tags
        .iter()
        .map(|(tag, _)| tag.chars().count())
        .max()
        .unwrap_or(0);
    for (tag, count) in tags {
        let name = format!("{:<width$}", sanitize(tag));
        writeln!(out, "{}  {count:>4}", paint(&name, style, accent))?;
    }
    Ok(())
}

/// `check`: every problem on its own line.
pub fn write_check(out: &mut dyn Write, problems: &[Problem]) -> io::Result<()> {
    for problem in problems {
        writeln!(out, "{}", sanitize(&problem.to_string()))?;
    }
    Ok(())
}
