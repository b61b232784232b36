//! Shell completion of term names: the names that begin with what was typed, from the key
//! table (shortest first), each once. Ids, acronyms and Chinese names complete as one
//! word; a name with spaces is offered through its id (no quoting needed) when the id
//! begins with what was typed too.

use rustc_hash::FxHashSet;

use super::index::{Index, TermId};
use super::keys::KeyKind;
use super::normalize::normalize_key;
use crate::store::Damaged;

/// A completion: the word to insert and a short description (both names).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    pub word: String,
    pub help: String,
}

/// Names beginning with `typed` (compared normalised: `dif`, `Dif` and `DIF` all find
/// `diffusion-model`; `生成` finds 生成对抗网络), at most `limit`.
pub fn complete(index: &Index, typed: &str, limit: usize) -> Result<Vec<Completion>, Damaged> {
    let prefix = normalize_key(typed);
    let store = index.store();
    let mut seen_words: FxHashSet<String> = FxHashSet::default();
    let mut found = Vec::new();
    for length in prefix.chars().count().max(1)..=store.max_key_length() {
        for row in store.rows_with_prefix(length, &prefix)? {
            let entry = store.key_entry(row)?;
            if !entry.kind.is_name() {
                continue;
            }
            let term = entry.term as TermId;
            let record = index.record(term)?;
            let keys = index.keys(term)?;
            let key = keys.get(entry.slot as usize).ok_or(Damaged)?;
            let word = if key.text.contains(char::is_whitespace) || key.kind == KeyKind::English {
                record.term.id.clone()
            } else {
                key.text.clone()
            };
            // The shell replaces what was typed with the word: it must still begin with it.
            let normalized = normalize_key(&word);
            if normalized.starts_with(&prefix) && seen_words.insert(normalized) {
                found.push(Completion {
                    word,
                    help: format!("{} · {}", record.term.en, record.term.zh),
                });
                if found.len() == limit {
                    return Ok(found);
                }
            }
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::glossary::Term;

    fn index() -> Index {
        let term = |id: &str, en: &str, zh: &str, abbr: &[&str]| Term {
            id: id.into(),
            en: en.into(),
            zh: zh.into(),
            abbr: abbr.iter().map(|s| s.to_string()).collect(),
            ..Term::default()
        };
        Index::build(&[
            term("diffusion-model", "Diffusion Model", "扩散模型", &[]),
            term("dit", "Diffusion Transformer", "扩散 Transformer", &["DiT"]),
            term(
                "gan",
                "Generative Adversarial Network",
                "生成对抗网络",
                &["GAN"],
            ),
            term("generative-model", "Generative Model", "生成模型", &[]),
        ])
    }

    fn words(typed: &str) -> Vec<String> {
        complete(&index(), typed, 10)
            .unwrap()
            .into_iter()
            .map(|completion| completion.word)
            .collect()
    }

    #[test]
    fn names_complete_from_any_case_and_script() {
        assert_eq!(words("dif"), vec!["diffusion-model"]);
        assert_eq!(words("Gen"), vec!["generative-model"]);
        assert_eq!(words("生成"), vec!["生成模型", "生成对抗网络"]);
        assert_eq!(
            words("扩散"),
            vec!["扩散模型"],
            "扩散 Transformer has a space"
        );
        assert_eq!(
            words("di"),
            vec!["DiT", "diffusion-model"],
            "DiT and dit are one word"
        );
        assert!(words("zz").is_empty());
    }

    #[test]
    fn help_shows_both_names_and_limit_holds() {
        let found = complete(&index(), "", 2).unwrap();
        assert_eq!(found.len(), 2);
        let gan = complete(&index(), "gan", 5).unwrap();
        assert_eq!(gan[0].help, "Generative Adversarial Network · 生成对抗网络");
    }
}
