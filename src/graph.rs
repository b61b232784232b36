//! Relations between terms as typed edges: `broader`/`narrower` (the hierarchy) and
//! `related`/`referenced by` (the rest). Walks are breadth-first, never repeat a term and
//! so always terminate, whatever cycles the glossary has.

use std::collections::{HashSet, VecDeque};

use serde::Serialize;

use crate::matching::{Index, TermId};
use crate::store::Damaged;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Relation {
    /// A more general term (listed in this term's `broader`).
    Broader,
    /// A more specific term (one that lists this term in its `broader`).
    Narrower,
    /// Listed in this term's `related`.
    Related,
    /// A term that lists this one in its `related`.
    ReferencedBy,
}

impl Relation {
    pub const ALL: [Relation; 4] = [
        Relation::Broader,
        Relation::Narrower,
        Relation::Related,
        Relation::ReferencedBy,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Relation::Broader => "broader",
            Relation::Narrower => "narrower",
            Relation::Related => "related",
            Relation::ReferencedBy => "referenced by",
        }
    }
}

/// A term reached by a walk: how (the relation of the last edge), from where, how far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reached {
    pub term: TermId,
    pub relation: Relation,
    pub via: TermId,
    pub depth: usize,
}

/// All edges leaving `term`, in a stable order (broader, narrower, related, referenced by;
/// each in glossary order). A term both linked and linking back is listed once, as related.
pub fn edges(index: &Index, term: TermId) -> Result<Vec<(Relation, TermId)>, Damaged> {
    let record = index.record(term)?;
    let links = &record.links;
    let mut out: Vec<(Relation, TermId)> = Vec::new();
    let groups = [
        (Relation::Broader, &links.broader),
        (Relation::Narrower, &links.narrower),
        (Relation::Related, &links.related),
    ];
    for (relation, targets) in groups {
        out.extend(targets.iter().map(|&to| (relation, to as TermId)));
    }
    for &from in &links.referenced_by {
        let from = from as TermId;
        if !out.iter().any(|&(_, to)| to == from) {
            out.push((Relation::ReferencedBy, from));
        }
    }
    if out.iter().any(|&(_, to)| to >= index.len()) {
        return Err(Damaged);
    }
    Ok(out)
}

/// Breadth-first walk from `start` up to `max_depth` edges away; each term once.
pub fn walk(index: &Index, start: TermId, max_depth: usize) -> Result<Vec<Reached>, Damaged> {
    let mut seen: HashSet<TermId> = HashSet::from([start]);
    let mut queue: VecDeque<(TermId, usize)> = VecDeque::from([(start, 0)]);
    let mut reached = Vec::new();
    while let Some((from, depth)) = queue.pop_front() {
        if depth >= max_depth {
            continue;
        }
        for (relation, to) in edges(index, from)? {
            if seen.insert(to) {
                reached.push(Reached {
                    term: to,
                    relation,
                    via: from,
                    depth: depth + 1,
                });
                queue.push_back((to, depth + 1));
            }
        }
    }
    Ok(reached)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::glossary::Term;

    fn term(id: &str, broader: &[&str], related: &[&str]) -> Term {
        Term {
            id: id.into(),
            en: id.into(),
            zh: id.into(),
            broader: broader.iter().map(|s| s.to_string()).collect(),
            related: related.iter().map(|s| s.to_string()).collect(),
            ..Term::default()
        }
    }

    fn index() -> Index {
        Index::build(&[
            term("generative-model", &[], &[]),
            term("gan", &["generative-model"], &["vae", "generator"]),
            term("vae", &["generative-model"], &["gan"]),
            term("generator", &[], &["gan"]),
            term("stylegan", &["gan"], &[]),
            term("cycle-a", &[], &["cycle-b"]),
            term("cycle-b", &[], &["cycle-a"]),
        ])
    }

    fn ids(index: &Index, reached: &[Reached]) -> Vec<(String, Relation, usize)> {
        reached
            .iter()
            .map(|r| {
                (
                    index.record(r.term).unwrap().term.id.clone(),
                    r.relation,
                    r.depth,
                )
            })
            .collect()
    }

    #[test]
    fn direct_edges_are_typed_and_not_repeated() {
        let index = index();
        let gan = index.by_id("gan").unwrap().unwrap();
        let found = ids(&index, &walk(&index, gan, 1).unwrap());
        assert_eq!(
            found,
            vec![
                ("generative-model".into(), Relation::Broader, 1),
                ("stylegan".into(), Relation::Narrower, 1),
                ("vae".into(), Relation::Related, 1),
                ("generator".into(), Relation::Related, 1),
            ]
        );
    }

    #[test]
    fn referenced_by_finds_incoming_links() {
        let index = index();
        let generator = index.by_id("generator").unwrap().unwrap();
        let edges = edges(&index, generator).unwrap();
        assert_eq!(
            edges,
            vec![(Relation::Related, index.by_id("gan").unwrap().unwrap())]
        );
        let model = index.by_id("generative-model").unwrap().unwrap();
        assert!(edges_contain(&index, model, Relation::Narrower, "vae"));
    }

    fn edges_contain(index: &Index, from: TermId, relation: Relation, to: &str) -> bool {
        edges(index, from)
            .unwrap()
            .contains(&(relation, index.by_id(to).unwrap().unwrap()))
    }

    #[test]
    fn deeper_walks_terminate_on_cycles() {
        let index = index();
        let start = index.by_id("cycle-a").unwrap().unwrap();
        assert_eq!(walk(&index, start, 50).unwrap().len(), 1);
        let gan = index.by_id("gan").unwrap().unwrap();
        let deep = walk(&index, gan, 3).unwrap();
        assert!(deep.iter().all(|r| r.term != gan));
        assert_eq!(deep.len(), 4);
    }

    #[test]
    fn depth_zero_reaches_nothing() {
        let index = index();
        assert!(walk(&index, 0, 0).unwrap().is_empty());
    }
}
