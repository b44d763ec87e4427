// Package match decides whether two records of basic data belong to the
// same person, and explains why, so that a register never stores another
// person's IDNr.
//
// The main caller is the initial fill of a register: the IDA answers a
// search with a unique hit from the BZSt (clean data, possibly only a
// subset of the fields), and the register checks it against its own,
// dirtier record with [Matcher.Decide]:
//
//	m := match.New()
//	o := m.Decide(registerRecord, []idnr.Person{hit})
//	switch o.Decision {
//	case match.Accept: // store hit.IDNr, replace the basic data
//	case match.Review: // queue for a clerk with o.Reasons (no personal data)
//	case match.Reject: // report
//	}
//
// Duplicate searches and the hit lists of the Melde retrieval (up to 1,000
// hits) prepare each record once with [Matcher.Prepare] and compare with
// [Matcher.DecidePrepared], which does not allocate.
//
// # Search form
//
// [SearchForm] is the DIN 91379 search form the BMeldDAV prescribes: the
// input is NFC-normalised; every Latin letter or letter sequence is mapped
// by DIN 91379 table 9 (latin_list_search_form_1.3.txt, generated into
// din91379_searchform.go), the longest sequence first; every other
// character is removed. The result holds only A–Z: Sœrensen, Sörensen and
// Soerensen give SOERENSEN, Sorensen gives SORENSEN; Karl-Heinz and
// Karlheinz give KARLHEINZ; "Lange Straße" gives LANGESTRASSE. Plain ASCII
// takes a fast path; [AppendSearchForm] appends to a buffer without
// allocating.
//
// # Names, places and addresses
//
// Names are split into parts on spaces, never on hyphens, before they are
// normalised. Given names agree when one side's names are all among the
// other's, in any order ([LevelExact] for the same set, [LevelSubset]
// otherwise); "Hans-Georg" is one name and does not match "Hans", but
// matches "Hans Georg" at the weaker [LevelHyphenation] (the same letters,
// written apart: the BMeldDAV would treat them as different, the scoring
// model counts them as weaker evidence). A family name is compared with
// the other side's family name and all former names (birth name, name
// before a change, religious and artist names): agreement through a former
// name is [LevelFormerName]. Prefixes and titles of nobility are part of
// the family name; "von Neuenwalde" against "Neuenwalde", or a double name
// against one of its parts, is [LevelSubset]. The doctoral degree is its
// own field and never part of a name; a degree on one side only counts
// nothing.
//
// Besides the search form each name has a diacritic-blind form (AE, OE, UE
// reduced to A, O, U), so that a name written without its umlauts
// (Muller) meets the search form of the name with them (MUELLER) at
// [LevelDiacritics].
//
// # Name order, transliteration, scanning errors
//
// Given and family name exchanged (as forms and foreign documents write
// them), the whole name written family name first and split at the wrong
// place ("Nguyen Van Minh" recorded with the family name Minh), or the
// family name among the other side's given names reach [LevelNameOrder]
// for both fields: either the whole name of one side, family name and
// given names read together, is the other side's read the other way round
// ("Karl-Heinz Reiner", "Reiner Karl-Heinz"), or the two sides' name parts
// (current family name and given names, former names aside) are pooled,
// one side's family name must appear among the other's given names, every
// part of either family name somewhere on the other side, and every name
// of the side with fewer parts on the other side. The comparison is also
// tried when the family name agrees only with a former name (a register
// keeps the birth name in its own field while the current names were
// exchanged), never when the current family names agree (twins). A part
// matched only by a typo gives the given names [LevelTypo] instead.
//
// Names from Arabic, Cyrillic, Greek, Turkish and other scripts come in
// several Latin spellings. [TranslitKey] is a transliteration-blind key
// built by rules, not from variant lists (translit.go lists them: vowel
// classes, doubled letters, KH/CH/H, SH/SCH/S, J/Y/I, OU/U, W/V, Al-/El-
// joined, hyphenated or apart): Mohammed, Muhammad and Mohamed; Hussein,
// Husain and Hüseyin; Yusuf, Yousef and Jussuf; Al-Hassan and El Hasan;
// Schewtschenko and Ševčenko agree at [LevelTranslit] ([TranslitEqual]).
// The key keeps the first vowel's class and a name's ending, so Anna and
// Anja, Lena and Lina or Leni, Mehmet and Mahmut stay apart; inner vowels
// keep their class (a, i, u), an unstressed e agreeing with any of them,
// so Jamil and Jamal, Rashid and Rashad stay apart while Khalid and
// Khaled agree (and so do Samir and Samer); in given names it writes only
// S, M, L and D once when doubled, so Stefan and Steffen, Niccolò and
// Nicolò stay apart too. Given names one edit apart agree by the key only
// where the edit is one transliteration makes (another inner vowel, J, Y
// or I, W or V, a doubled S, M, L or D, an H): Elias and Elijas do not.
// For a foreign pair the transliteration is preferred to the typo level
// (Paraskevi, Paraskavi; Dmitrij, Dmitriy). It applies only when one side
// has a nationality other than German or a birth place abroad: between
// German names it would find variants the register keeps apart (Meier,
// Mayr; Marvin, Merwin). Not covered: a dropped vowel (Aleksandr,
// Alexander; Fatima, Fatma), another first vowel (Georgios and Giorgos,
// Zeynep and Zaynab, Cem and Cam: Mehmet and Mahmut differ the same way),
// Ayşe and Aisha.
//
// Letters confused by scanning forms count as one edit at [LevelTypo]
// and as a typo names do not differ by: rn for m, cl for d, ii for u or
// ü, vv for w, l and I (Elisabeth, EIisabeth); digits in names
// are read as the letters they stand for (0 as O, 1 as l, 5 as S, 8 as B)
// before the search form is taken.
//
// Places of birth agree exactly, without diacritics, or partially: with
// and without a district ("Berlin-Spandau", "Berlin"), abbreviated
// ("Frankfurt a. M."), or by an old or foreign name from a built-in list
// ("Karl-Marx-Stadt", "Chemnitz"; "Breslau", "Wrocław"). Streets are
// compared in the search form with the suffixes unified after
// normalisation (STR → STRASSE, PL → PLATZ, WEGLE → WEG, GAESSLE → GASSE);
// house numbers by their parts ("12a" = "12 A").
//
// # Phonetics
//
// [Phonetic] is the Kölner Phonetik (Postel 1969) over the search form, as
// the BMeldDAV's phonetic search uses it: Müller-Lüdenscheidt gives
// 65752682; Meier, Mayr and Maier give 67. [AppendPhonetic] does not
// allocate. Two names count as phonetically equal only with a code of at
// least two digits and the same first letter: otherwise too many unrelated
// names meet (Johanna and Hannah both give 06, Ingrid and Annegret 06472).
//
// # Scoring model
//
// Each field is compared on its own and reaches a [Level]; each level has a
// weight in the spirit of Fellegi and Sunter, log2(m/u), where m is the
// probability of the level for two records of one person and u for two
// records of different people. The score is the sum. A field not known on
// both sides is [LevelMissing] and weighs 0: missing evidence never adds
// up to an Accept. Defaults ([DefaultWeights]; change them with
// [WithWeight] or [WithWeights]):
//
//	field            level              weight  reasoning
//	idnr             exact                 +14  the same number (sync of a filled register)
//	                 conflict              -30  two numbers: never the same person automatically
//	family-name      exact                 +10  u ≈ 1/1000 for a common name
//	                 former-name            +8  married name against birth name
//	                 diacritics             +8  Muller against Müller
//	                 transliteration        +7  Al-Hassan against El Hasan (foreign only)
//	                 name-order             +7  given and family name exchanged
//	                 subset                 +6  "von Neuenwalde" against "Neuenwalde", double names
//	                 phonetic               +5  Meier against Mayr
//	                 typo                   +4  Damerau-Levenshtein 1 (2 from nine letters)
//	                 conflict               -6  a marriage may be unrecorded
//	given-names      exact                 +10  the same names, in any order
//	                 diacritics             +8
//	                 subset                 +7  a name missing on one side
//	                 hyphenation            +7  "Hans-Georg" against "Hans Georg"
//	                 name-order             +7  given and family name exchanged
//	                 transliteration        +5  Yusuf against Yousef (foreign only)
//	                 phonetic               +4
//	                 typo                   +3
//	                 partial                -4  some names agree, others conflict (siblings)
//	                 conflict              -16  no common name: twins, siblings
//	birth-date       exact                 +12  u ≈ 1/20,000
//	                 compatible             +7  partial date, month and year agree
//	                 day-month-swapped      +6
//	                 partial                +4  only the year agrees
//	                 digit-typo             +4  one digit, or two neighbours transposed
//	                                            (in the year: its last two digits)
//	                 conflict              -16  father and son, siblings
//	sex              exact                  +1  u = 1/2
//	                 mismatch               -2  divers or ohne Angabe against m or w
//	                 conflict              -12  m against w
//	birth-place      exact                  +5
//	                 diacritics             +4
//	                 partial, phonetic, typo +3  district, abbreviation, old name
//	                 conflict               -6
//	address          exact                  +6  street, house number and town
//	                 same-street            +4
//	                 same-city              +2
//	                 conflict               -2  people move: weak evidence
//	nationality      exact                  +1  a common nationality
//	                 mismatch               -2
//	doctoral-degree  exact                  +1  (on one side only: 0)
//
// The conflict weights are set stronger than log2(m/u) alone would give,
// so that a strong conflict outweighs agreement elsewhere: a twin agrees
// in family name, birth date, place and address (+34) and still falls
// far below the accept threshold with the given-name conflict.
//
// # Decisions
//
// [Matcher.Decide] scores every candidate and takes the best. It returns
// Accept only if all of these hold; otherwise [Outcome.Hold] names the
// first rule that failed ([Hold]):
//
//   - no strong conflict: IDNr, sex (m/w), given names, birth date or
//     family name at [LevelConflict] ([HoldConflict]);
//   - family name, given names and birth date known on both sides
//     ([HoldMissing]): an answer carrying only the IDNr, or no birth date,
//     goes to review;
//   - given names agree well enough ([HoldWeak]): not only some of them
//     ([LevelPartial]), not only phonetically (Lennart, Leonard), a typo
//     only in names of six letters or more with the same sex and only of
//     the kind names do not differ by (two letters transposed, a consonant
//     for a consonant, a scanning confusion; not at the last letter): a
//     changed vowel, a letter added, dropped or doubled or another ending
//     is how twins' names differ (Lena, Lina; Martina, Marina; Carolin,
//     Caroline; Stefan, Steffen) and goes to review; so does one letter
//     substituted for another in the first given name, the first letter
//     too (Dariusz, Mariusz; Martin, Marvin; Marcin, Marvin), leaving two
//     letters transposed and the scanning confusions. A typo in a later
//     given name (four letters or more) when the first given names agree
//     may also change a vowel or drop a letter (Claudia, Clauda; Franz,
//     Fraz): twins differ in the first given name. A first-name typo stays
//     in review even when the later given names agree: twins often share
//     them (the evaluation's twins with near-identical names keep the
//     middle names half of the time); hyphenation only when the first
//     given names are written alike (Anna-Lena and Anna Lena, Hans-Georg
//     and Hans Georg are different first names and may be twins'); a
//     transliteration only in names of five letters or more, with the
//     first given names matched and the same sex; a subset only when the
//     first given names agree (siblings share middle names);
//   - at most one of family name, given names and birth date below its
//     strong levels (a transliterated given name counts as one; exchanged
//     names count once for both fields);
//   - exchanged names ([LevelNameOrder]) are confirmed by the birth place
//     or the street ([HoldCorroboration]): people named Paul Thomas and
//     Thomas Paul exist; exchanged names with one more defect (a typo of
//     the kind above in names of six letters or more, or a birth date that
//     is partial, swapped or one digit off) count once only when the birth
//     place and the street both agree and the sex is the same;
//   - the birth place or the address (at least the town) agrees: names
//     and birth date alone do not tell a namesake born the same day apart,
//     so an answer without address and birth place goes to review;
//   - a birth date one digit off in the year's tens, 15 years or more
//     apart (1961 and 1981; 1968 and 1986 transposed), is what a father
//     and son (mother and daughter) with the same names, born on the same
//     day and living at the same address, look like ([HoldWeak]); ten
//     years apart is a typo, never a parent and child;
//   - a birth place that agrees only in part, by sound or by a typo may be
//     another place (Frankfurt, Frankfurt (Oder); Kiel, Kiew): it needs
//     the same street ([HoldCorroboration]), the town alone is what a
//     namesake born the same day in the same town shares;
//   - a birth date that is not exactly equal (partial, digit typo, day and
//     month swapped) is confirmed by the same address, house number
//     included, a conflicting birth place likewise ([HoldCorroboration]):
//     a namesake born a few days apart lives elsewhere, or in the same
//     street in another house;
//   - the score reaches the accept threshold ([DefaultAcceptThreshold] 30,
//     [WithAcceptThreshold]; [HoldScore]);
//   - it leads the second-best candidate by the margin ([DefaultMargin] 6,
//     [WithMargin]; [HoldAmbiguous]).
//
// A held decision is Review with the best candidate's index. It is Reject
// (Candidate -1) only when the score is below [DefaultRejectBelow] (0,
// [WithRejectBelow]) and the reasons hold positive evidence of another
// person: two IDNrs, a birth date that is no typo, partial or swapped
// date, m against w, or given names that conflict while the family name
// agrees (twins, siblings). Exchanged, transliterated or misread names, a
// partial date or a low score alone go to review. No candidate at all is
// Reject.
//
// # Name frequencies
//
// With [WithFrequencies] and a table from [BuildFrequencies] (one pass
// over the register, e.g. in the onboarding preflight; stored with
// [Frequencies.MarshalBinary], hashes and counts only, no names), the
// weight of an exact family name and of exact given names (by the first
// given name of the register record) is adjusted by the name's frequency
// f = (count+1)/(people+1) in the register, as Splink and fastLink do:
// w + clamp(log2(2^-w / f), -[MaxLower], +[MaxRaise]). A rare name weighs
// up to 3 more, a common one up to 4 less. The guard: only the score moves;
// every hold rule above still applies, so a pair that conflicts on birth
// date, sex, IDNr or given names is never lifted to Accept. Without a
// table, or with fewer than 1,000 people in it, the default weights hold.
//
// # Estimated weights
//
// The default weights are set by hand. [Matcher.Estimate] estimates, as an
// optional step, the m and u probabilities of every level from the
// register's own data with the EM algorithm of Fellegi and Sunter (as
// Splink and fastLink do), reports what it estimated and how that would
// change the decisions, and [WithEstimate] uses the result. Nothing
// changes without it.
//
// The input is the comparison [Vector] of candidate pairs
// ([Matcher.Vector], [Matcher.Vectors]): each register record with its
// IDA hit, or pairs within the register that share a blocking key. A
// vector holds levels only, no personal data. The model: a pair is a match
// with probability λ; given that, the fields are independent, field f at
// level l with probability m(f,l) for a match and u(f,l) for two people.
// A field missing on either side drops out. EM alternates
//
//	p(pair) = λ·Πm / (λ·Πm + (1−λ)·Πu)        (E step)
//	λ = mean p;  m(f,l) = Σ p·[f at l] / Σ p;  u(f,l) likewise with 1−p   (M step)
//
// over the distinct vectors (a few hundred for 100,000 pairs), starting
// from the posterior the matcher's weights give with even prior odds, and
// adding 0.5 to every count of a level the field takes part with, until
// no m, u or λ moves by more than [EstimateOptions].Tolerance (1e-6) or
// after MaxIterations (100). With RandomPairs ([Matcher.RandomVectors]:
// pairs of records drawn at random, nearly all two people) u is taken
// from them and held fixed, as Splink's estimate_u_using_random_sampling
// does; this is the advised way. Without them EM estimates u from the
// non-matches among the pairs, which for blocked pairs are mostly family
// members (spouses, siblings, parent and child agree in family name,
// address and birth place at once): u of agreement comes out high and
// agreement weighs less than the score threshold was set for. A pair with
// a strong conflict (two IDNrs, m against w, a birth date or all given
// names in conflict) counts as two people unless KeepConflicts is set:
// otherwise twins and siblings, agreeing in everything else, form a class
// of their own that EM takes for the matches. Namesakes born the same day
// whom nothing but birth place and address tell apart still count towards
// λ: on the test's pairs (30% matches, a tenth of the non-matches hard
// negatives) λ comes out at 0.325.
//
// The estimated weight of a level is log2(m/u). The weight used, shown in
// the report with the [Guard] that changed it, keeps these guards:
//
//   - a level seen in fewer than MinCount pairs (50) keeps its default;
//   - a level whose default is 0 stays 0;
//   - the strong conflicts (IDNr, family name, given names, birth date,
//     sex m/w) keep their defaults, as they keep holding an Accept back;
//   - every other weight stays within [MaxEstimateLower] (4) below and
//     [MaxEstimateRaise] (2) above its default: raising is what could lift
//     another person to Accept; lowering a runner-up's level widens the
//     best candidate's lead in a hit list;
//   - it keeps the sign of its default: a disagreement never becomes
//     positive evidence, an agreement never negative (cut to 0).
//
// [WithEstimate] changes only what a level weighs: the level a field
// reaches is still chosen with the weights the estimate was made with,
// and the accept threshold, the margin and every hold rule under
// "Decisions" (strong conflicts, missing fields, weak agreement,
// corroboration of exchanged names and inexact birth dates) stay as they
// are. The report ([Estimate.String]) lists per field and level the
// number of pairs, m, u, the default, the raw estimate and the weight
// used with its guard (the defaults are weights only: the package sets no
// separate m and u), and [Estimate].Changes counts the pairs by decision
// with the default and with the estimated weights, each pair decided on
// its own as a unique hit without name frequencies. It holds counts and
// probabilities only. What it does not see: the independence assumption
// is wrong where fields move together (exchanged names reach
// [LevelNameOrder] in family and given names at once and count twice);
// the counts are of the pairs given, not of a register's hit lists.
// TestEvaluationWithEstimate runs the evaluation sets with weights
// estimated on other generated people: no wrong accept either way; with u
// from random pairs 94.3% of the fresh set's true matches with ordinary
// defects are accepted (the estimate weighs a given-name subset less),
// with u by EM under 10%. 100,000 pairs take about 7 ms
// (BenchmarkEstimate).
//
// [Outcome.Reasons] lists, per field, the level and its weight;
// [Reason.Text] and [Outcome.German] give the German text for a clerk
// ("Geburtsdatum: Tag und Monat vertauscht"), [Outcome.String] and
// [Outcome.LogValue] a stable English form for logs. Neither contains a
// name, date or number of the person.
//
// # Evaluation
//
// testdata/eval.jsonl.gz holds labelled cases generated by idnr/idnrtest
// (13 kinds of register defects and 5 kinds of hard negatives: twins,
// namesakes with the same or a nearby birth date, father and son,
// siblings; some cases are hit lists without the true person).
// TestEvaluation reports accept, review and reject rates, precision and
// recall per kind on that set and on sets generated in the test from
// another seed, which also hold the harder kinds of idnrtest.HardKinds
// (names exchanged, family name first, exchanged plus one more defect,
// transliteration variants, scanning errors, two defects) and the harder
// negatives (twins with near-identical given names, people whose names are
// another's exchanged, namesakes born the same day living in the same
// town, namesakes in another transliteration), and once more with a
// name-frequency table of 20,000 generated people. It fails on any wrong
// accept, if fewer than 95% of the true matches with ordinary defects are
// accepted, or if more than 1 in 200 of the harder true matches is
// rejected. The defaults were tuned on the committed set only.
//
// A set's size changes the random stream, so sets of other sizes and
// seeds hold cases the fixed sets do not. TestSweep runs the evaluation
// over 3 seeds by default (a few seconds) and, with REGMO_MATCH_SWEEP=1,
// over 10 seeds × 500, 1,000 and 3,000 cases per kind plus the simpler
// population and register copies of each seed (1.8 million cases, about
// two minutes on two cores); it fails on any wrong accept. What it found
// became the hold rules on a generation apart, hyphenated and one-letter
// first given names, an inexact birth date in another house and a weak
// birth place with only the town (the tests in sweep16_test.go). Not
// detected, by design: twins whose first given names are two
// spellings of one name from another script (Mahmoud, Mahmut; Günther,
// Günter with a birth place abroad) agree at [LevelTranslit] as the same
// person written in another transliteration does, which issue 16 asks to
// accept; the full sweep finds two such pairs in 1.83 million cases. It
// also finds one hit list in which a candidate with the register's names
// exchanged, the same birth date and birth place and another street in
// the same town is accepted ([LevelNameOrder] confirmed by the birth
// place); the full sweep fails on these three.
//
// # Concurrency
//
// A [Matcher] is immutable after [New] and safe for concurrent use; so
// is an [Estimate] once returned. A
// [Prepared] is immutable and may be shared. [Outcome] is a value.
package match
