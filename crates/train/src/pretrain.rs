//! The plain-text corpus of a *base* model for R1-Zero (issue 4): task skill without the habit of
//! reasoning before answering.
//!
//! Documents, each trained on every token (no prompt/completion split):
//! - **bare answers** in the chat frame the RL prompt uses, with an *empty* think block:
//!   `<|user|>123*456<|assistant|><think>\n\n</think>\n\n56088<|end|>` — the base learns the frame
//!   and the delimiters, and that the answer follows `<think>\n` at once;
//! - **worked scratch work** not attached to any question: `<think>\n123*6=738\n…\n</think>` (the
//!   task's most detailed trace, with neither question nor answer line);
//! - **partial calculations**: one to three lines of such work on their own;
//! - optionally, a **rare worked answer** (`think_rate`, a fraction of the question documents): the
//!   question followed by the worked trace inside the think block, then the answer.
//!
//! Why the rare worked answer exists (measured, `docs/r1-zero.md`): with scratch work never attached
//! to a question, the base sampled at temperature 1 writes an empty think block after ~299 of 300
//! questions — it has the skill but never uses it, so RL sees no completion that reasons and has no
//! gradient towards reasoning. A real base model (DeepSeek-V3-Base, Qwen2.5) has read some worked
//! solutions and reasons now and then; `think_rate` is that "now and then", made explicit and small
//! so that reasoning is a latent behaviour RL can strengthen, not a habit the base already has.
//!
//! **Instructions before reasoning** (`instruction_rate`, for the lecture's prompting claim): that
//! fraction of the question documents puts an instruction in the question — zero-shot "think step
//! by step", a few-shot prefix, or the long supervised-CoT instruction (`PromptStyle`) — and is
//! answered with the worked trace, so a base can learn to follow them; plain questions keep
//! `think_rate`'s rare worked answer.
//!
//! **Two notations** (`notation_switch`, `tasks::notation`): that fraction of the worked traces
//! (worked answers, scratch work, partial calculations) switches from digits to the letter
//! notation at a random line and keeps it to the end of the reasoning; answers stay in digits.
//! A policy grown from such a base mixes notations as R1-Zero mixed languages, which is what the
//! `language` reward (R1's language consistency) is measured against.
//!
//! The `no-worked` mix keeps only the bare answers: the weaker base of the issue's "the base
//! matters" comparison, with the same frame and delimiters but no latent worked arithmetic.
//! Departure from DeepSeek-R1-Zero: their base saw web text, not a designed mixture; here the
//! mixture is the experiment's control.

use deepthink_model::{ChatTokenizer, Message};
use deepthink_tasks::notation::to_letters;
use deepthink_tasks::text::{self, think_lines};
use deepthink_tasks::{PromptStyle, Split, Task, TaskError, TraceStyle};
use rand::{Rng, RngCore};
use serde::{Deserialize, Serialize};

/// Which documents the corpus holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CorpusMix {
    /// Bare answers 50%, worked scratch 30%, partial calculations 20%.
    Full,
    /// Bare answers only.
    NoWorked,
}

impl std::str::FromStr for CorpusMix {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "full" => Ok(CorpusMix::Full),
            "no-worked" => Ok(CorpusMix::NoWorked),
            other => Err(format!("unknown corpus `{other}`; known: full, no-worked")),
        }
    }
}

/// A corpus document's prompt style (with probability `instruction_rate`, one of the three
/// instructions, each a third of the time; else plain).
fn instruction(instruction_rate: f64, rng: &mut dyn RngCore) -> Option<PromptStyle> {
    (instruction_rate > 0.0 && rng.gen::<f64>() < instruction_rate)
        .then(|| [PromptStyle::Cot, PromptStyle::FewShot, PromptStyle::Supervised][rng.gen_range(0..3)])
}

/// One document of the corpus (training split only). `think_rate` is the fraction of question
/// documents that show the worked trace before the answer (0 for none; always 0 under `no-worked`);
/// `notation_switch` the fraction of worked traces that switch notation (see the module doc).
pub fn corpus_document(
    task: &dyn Task,
    tok: &ChatTokenizer,
    mix: CorpusMix,
    think_rate: f64,
    notation_switch: f64,
    instruction_rate: f64,
    rng: &mut dyn RngCore,
) -> Result<String, TaskError> {
    let p = task.generate(rng, Split::Train);
    let roll: f64 = if mix == CorpusMix::Full { rng.gen() } else { 0.0 };
    if roll < 0.5 {
        let instructed = instruction(instruction_rate, rng);
        let worked =
            instructed.is_some() || (mix == CorpusMix::Full && think_rate > 0.0 && rng.gen::<f64>() < think_rate);
        let style = if worked { task.worked_style() } else { TraceStyle::DIRECT };
        let mut reply = task.completion(&p, style, rng)?;
        if worked && notation_switch > 0.0 {
            // (with no switch the corpus, and its draws, are what they were before notations)
            let lines: Vec<String> = think_lines(&reply).iter().map(|l| l.to_string()).collect();
            let answer = text::final_answer(&reply).unwrap_or_default().to_string();
            reply = text::render_completion(&maybe_switch(lines, notation_switch, rng), &answer);
        }
        let prompt = task.prompt(&p, instructed.unwrap_or(PromptStyle::Plain));
        let messages = [Message::user(prompt), Message::assistant(reply)];
        return tok.render(&messages, false, true).map_err(|e| TaskError::BadQuestion {
            task: "corpus",
            input: p.question(),
            reason: e.to_string(),
        });
    }
    let worked = task.completion(&p, task.worked_style(), rng)?;
    let lines = maybe_switch(think_lines(&worked).iter().map(|l| l.to_string()).collect(), notation_switch, rng);
    if roll < 0.8 || lines.len() < 2 {
        Ok(format!("<think>\n{}\n</think>", lines.join("\n")))
    } else {
        let n = rng.gen_range(1..=3.min(lines.len()));
        let start = rng.gen_range(0..=lines.len() - n);
        Ok(lines[start..start + n].join("\n"))
    }
}

/// With probability `rate`, the lines from a random one on written in the letter notation.
fn maybe_switch(mut lines: Vec<String>, rate: f64, rng: &mut dyn RngCore) -> Vec<String> {
    if rate > 0.0 && !lines.is_empty() && rng.gen::<f64>() < rate {
        let from = rng.gen_range(0..lines.len());
        for l in &mut lines[from..] {
            *l = to_letters(l);
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use deepthink_tasks::{task_by_name, TaskConfig};
    use rand::SeedableRng;

    #[test]
    fn the_full_mix_has_all_three_kinds_and_no_worked_only_bare_answers() {
        let task = task_by_name("mult", &TaskConfig::default()).unwrap();
        let tok = ChatTokenizer::char_level().unwrap();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let docs: Vec<String> = (0..400)
            .map(|_| corpus_document(task.as_ref(), &tok, CorpusMix::Full, 0.0, 0.0, 0.0, &mut rng).unwrap())
            .collect();
        let bare = docs.iter().filter(|d| d.starts_with("<|user|>") && d.contains("<think>\n\n</think>")).count();
        let scratch = docs.iter().filter(|d| d.starts_with("<think>\n") && !d.contains("<|user|>")).count();
        let partial = docs.iter().filter(|d| !d.contains("<think>")).count();
        assert_eq!(bare + scratch + partial, 400);
        assert!(
            (150..250).contains(&bare) && (80..160).contains(&scratch) && (40..120).contains(&partial),
            "{bare} {scratch} {partial}"
        );
        // scratch work never carries its question
        assert!(docs.iter().filter(|d| d.starts_with("<think>")).all(|d| !d.contains("*") || !d.contains("<|user|>")));
        let weak: Vec<String> = (0..50)
            .map(|_| corpus_document(task.as_ref(), &tok, CorpusMix::NoWorked, 0.5, 0.0, 0.0, &mut rng).unwrap())
            .collect();
        assert!(weak.iter().all(|d| d.starts_with("<|user|>") && d.contains("<think>\n\n</think>\n\n")));
        // a think rate attaches the worked trace to about that fraction of the question documents
        let rated: Vec<String> = (0..2000)
            .map(|_| corpus_document(task.as_ref(), &tok, CorpusMix::Full, 0.1, 0.0, 0.0, &mut rng).unwrap())
            .collect();
        let questions: Vec<&String> = rated.iter().filter(|d| d.starts_with("<|user|>")).collect();
        let worked = questions.iter().filter(|d| !d.contains("<think>\n\n</think>")).count();
        assert!((60..140).contains(&worked), "{worked} of {}", questions.len());
        // every document is in the tokenizer's alphabet
        for d in docs.iter().chain(&weak) {
            tok.encode(d).unwrap();
        }
    }

    #[test]
    fn a_notation_switch_writes_the_rest_of_a_trace_in_letters_and_keeps_answers_in_digits() {
        use deepthink_tasks::notation::numerals;
        let task = task_by_name("mult", &TaskConfig::default()).unwrap();
        let tok = ChatTokenizer::char_level().unwrap();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(2);
        let docs: Vec<String> = (0..1000)
            .map(|_| corpus_document(task.as_ref(), &tok, CorpusMix::Full, 1.0, 0.3, 0.0, &mut rng).unwrap())
            .collect();
        let with_reasoning: Vec<&String> = docs.iter().filter(|d| !d.contains("<think>\n\n</think>")).collect();
        let switched = with_reasoning.iter().filter(|d| numerals(d).letters > 0).count();
        let share = switched as f64 / with_reasoning.len() as f64;
        assert!((0.2..0.4).contains(&share), "{switched} of {}", with_reasoning.len());
        for d in docs.iter().filter(|d| d.starts_with("<|user|>")) {
            let answer = d.rsplit("</think>").next().unwrap();
            assert_eq!(numerals(answer).letters, 0, "answers stay in digits: {d}");
            tok.encode(d).unwrap();
        }
    }

    #[test]
    fn instructed_questions_are_answered_with_worked_reasoning() {
        let task = task_by_name("mult", &TaskConfig::default()).unwrap();
        let tok = ChatTokenizer::char_level().unwrap();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let docs: Vec<String> = (0..1200)
            .map(|_| corpus_document(task.as_ref(), &tok, CorpusMix::Full, 0.0, 0.0, 0.5, &mut rng).unwrap())
            .collect();
        let instructed: Vec<&String> = docs.iter().filter(|d| d.contains("think step by step")).collect();
        let questions = docs.iter().filter(|d| d.starts_with("<|user|>")).count();
        assert!(!instructed.is_empty() && instructed.iter().all(|d| !d.contains("<think>\n\n</think>")));
        let share = instructed.len() as f64 / questions as f64;
        assert!((0.08..0.26).contains(&share), "zero-shot is a third of the half that is instructed: {share}");
        // A plain question is one line; an instructed one has the instruction around it.
        let plain = |d: &&String| d.split("<|assistant|>").next().is_some_and(|u| !u.contains('\n'));
        let plain_worked = docs.iter().filter(|d| d.starts_with("<|user|>")).filter(plain);
        assert!(plain_worked.clone().count() > 0);
        assert!(
            plain_worked.filter(|d| !d.contains("<think>\n\n</think>")).count() == 0,
            "think_rate 0: plain ones are bare"
        );
    }
}
