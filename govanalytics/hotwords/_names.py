"""Names of private persons in running text: self-introductions, labelled fields, kinship words.

:func:`govanalytics.privacy.mask_personal_data` masks names next to a title (张先生) or in a
signature (市民刘建国). Real message boards also introduce their writers and name the people
they write about in running text: "我叫[name]，来自…", "姓名：[name]", "当事人[name]，身份证…",
"本人[name]，男，…", "我父亲[name]今年…". This module masks those before the text is read by
anything else, and masks person names found by a part-of-speech tagger in the few texts a
page shows.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

import polars as pl

from govanalytics.errors import ParameterError
from govanalytics.hotwords._dictionary import _read_words
from govanalytics.privacy._mask import SURNAMES as _COMMON_SURNAMES

#: Cues right after which a name is written (self-introductions, labelled fields): the
#: characters after the cue are masked when they begin with a surname.
NAME_CUES = (
    "我叫",
    "他叫",
    "她叫",
    "名叫",
    "名字叫",
    "名字是",
    "姓名",
    "本人叫",
    "本人名叫",
)
#: Words after which a name is often written but not always ("本人[name]，男" but also
#: "本人所购房屋"): the characters after the word are masked only when they begin with a
#: surname and are followed by punctuation or a word that typically follows a name.
NAME_LEADS = (
    "本人",
    "我是",
    "当事人",
    "户主",
    "联系人",
    "申请人",
    "举报人",
    "投诉人",
    "委托人",
    "代理人",
    "受害人",
    "被害人",
    "死者",
    "患者",
    "病人",
    "家属",
    "父亲",
    "母亲",
    "爸爸",
    "妈妈",
    "儿子",
    "女儿",
    "丈夫",
    "妻子",
    "老公",
    "老婆",
    "爱人",
    "哥哥",
    "姐姐",
    "弟弟",
    "妹妹",
    "爷爷",
    "奶奶",
    "外公",
    "外婆",
    "孩子",
    "同学",
    "邻居",
    "老人",
    "学生",
    "职工",
    "员工",
    "村民",
    "居民",
    "业主",
    "法人",
    "法定代表人",
    "实名",
    "实名求助",
    "实名举报",
    "求助人",
    "编写人",
    "负责人",
    "经办人",
    "校长",
    "院长",
    "老板",
    "经理",
    "主任",
)
#: What may follow a name after a lead word: punctuation, or a word that typically follows a
#: name in citizen letters (是, 今年, 男, 女, 身份证, 家住, …).
_AFTER_NAME = (
    r"[，。,.、;；:：!！?？\s(（\[【“\"]|是|今年|现年|男|女|身份证|家住|住在|住|系|现|于|在|"
    r"出生|生于|电话|手机|联系|反映|等|和|与|及|的|因|从|自|已|也|一直|同志|老师|$"
)


#: A word this frequent in jieba's dictionary is an ordinary word, not a name (阳光, 文明 and
#: 康复 are even tagged as names); a public figure's name may be this frequent too.
_COMMON_WORD_FREQ = 50
#: A name whose first two characters are this frequent a word begins with a word (江西人).
_COMMON_PREFIX_FREQ = 500
#: A given name this frequent a word is an ordinary word after a surname-like character
#: (孩子都**一样**); given names such as 建国 (3,083) stay below it.
_COMMON_GIVEN_FREQ = 5000


@cache
def surnames() -> tuple[str, ...]:
    """Chinese surnames, single and compound (``resources/surnames.txt``, about 430)."""
    return tuple(dict.fromkeys(_read_words("surnames.txt")))


#: Python's ``re`` has no ``\p{Han}``: the CJK blocks instead (polars' regex has both).
_HAN_PY = "[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"


@cache
def _patterns(han: str) -> tuple[str, str]:
    """Regular expressions of a cue or lead word, a separator, a surname and a given name.

    Groups: 1 cue or lead, 2 separator, 3 surname, 4 given name (one or two characters,
    shortest first in the bounded form), 5 what follows the name (in the greedy form any
    character but ``*``, so that a name masked already is left alone).
    """
    single = "".join(s for s in surnames() if len(s) == 1)
    compound = "|".join(s for s in surnames() if len(s) > 1)
    sur = f"({compound}|[{single}])"
    sep = r"([:：]?\s?)"
    cues = "|".join(sorted(NAME_CUES, key=len, reverse=True))
    leads = "|".join(sorted([*NAME_CUES, *NAME_LEADS], key=len, reverse=True))
    bounded = f"({leads}){sep}{sur}({han}{{1,2}}?)({_AFTER_NAME})"
    # after a cue, a surname and the next two characters whatever follows but "*" (masks a
    # character too many when the name has two characters and nothing marks its end)
    greedy = f"({cues}){sep}{sur}({han}{{1,2}})([^*]|$)"
    return bounded, greedy


def _is_name(cue: str, surname: str, given: str, *, freq: dict[str, int]) -> bool:
    """Whether ``surname + given`` after ``cue`` reads as a person's name, not a word.

    After a self-introduction cue (我叫, 姓名) always. After a lead word (本人, 业主, 父亲):
    not a frequent word of jieba's dictionary as a whole (业主**利益**，), nor a frequent word
    in its first two characters (我是**江西**人，) or in its given name (孩子**都一样**！); a
    one-character given name only after one of the hundred commonest surnames (业主**公摊**，
    stays).
    """
    if cue in NAME_CUES:
        return True
    name = surname + given
    if (freq.get(name) or 0) >= _COMMON_WORD_FREQ:
        return False
    if len(given) == 1:
        return surname in _COMMON_SURNAMES
    if len(surname) == 1 and (freq.get(name[:2]) or 0) >= _COMMON_PREFIX_FREQ:
        return False
    return (freq.get(given) or 0) < _COMMON_GIVEN_FREQ


def mask_introduced_names(texts: pl.Series) -> tuple[pl.Series, int]:
    """Mask names written after a self-introduction, a label or a kinship word.

    The surname is kept and the given name becomes ``**`` (as
    :func:`govanalytics.privacy.mask_personal_data` writes signatures):

    * after a cue of :data:`NAME_CUES` (我叫, 姓名, 名叫, …), a surname and the next one or
      two characters: ``我叫张三，`` → ``我叫张**，``;
    * after a word of :data:`NAME_LEADS` (本人, 当事人, 户主, 父亲, 业主, …), a surname and
      one or two characters **followed by** punctuation or a word that typically follows a
      name (是, 今年, 男, 女, 身份证, 家住, …), unless they read as a common word of jieba's
      dictionary: ``本人李某某，男`` → ``本人李**，男``, while ``本人向法院提起`` and
      ``业主利益，`` stay.

    Surnames are those of :func:`surnames`. A name not introduced this way (a bare name in
    running text) is not found here; see :func:`mask_tagged_names` for texts shown on a page.

    Parameters
    ----------
    texts
        Text column (``pl.String``), already through
        :func:`govanalytics.privacy.mask_personal_data`; nulls stay null.

    Returns
    -------
    masked : pl.Series
        The text with those names masked.
    count : int
        Number of names masked.

    Examples
    --------
    >>> s = pl.Series(["我叫张三，家住A市。本人李某某，男，反映…"])
    >>> mask_introduced_names(s)[0].to_list()
    ['我叫张**，家住A市。本人李**，男，反映…']
    """
    if not isinstance(texts, pl.Series) or texts.dtype != pl.String:
        msg = "texts must be a polars Series of type String"
        raise ParameterError(msg)
    rows = texts.str.contains_any([*NAME_CUES, *NAME_LEADS]).fill_null(False).arg_true()
    if rows.len() == 0:
        return texts, 0
    from govanalytics.hotwords._segment import _jieba_freq

    freq = _jieba_freq()
    sub = texts.gather(rows)
    count = 0
    for polars_re, python_re in zip(_patterns(r"\p{Han}"), _patterns(_HAN_PY), strict=True):
        # twice: a match consumes the character after the name, which may begin the next cue
        for _ in range(2):
            found = sub.str.extract_all(polars_re).explode().drop_nulls().value_counts()
            keys, values = [], []
            for match, n in found.iter_rows():
                m = re.fullmatch(python_re, match)
                if m is None or not _is_name(m[1], m[3], m[4], freq=freq):
                    continue
                keys.append(match)
                values.append(f"{m[1]}{m[2]}{m[3]}**{m[5]}")
                count += n
            if not keys:
                break
            order = sorted(range(len(keys)), key=lambda i: -len(keys[i]))
            sub = sub.str.replace_many([keys[i] for i in order], [values[i] for i in order])
    return texts.clone().scatter(rows, sub), count  # scatter writes in place


#: Word classes of person names in jieba's tag set (ICTCLAS): person name, transcribed
#: name, Japanese/foreign name.
_PERSON_TAGS = frozenset({"nr", "nrfg", "nrt"})


def mask_tagged_names(texts: Sequence[str]) -> list[str]:
    """Mask person names found by jieba's part-of-speech tagger, for texts shown on a page.

    A word is masked (surname kept, ``*`` for each other character) when jieba tags it as a
    person name (``nr``, ``nrfg``, ``nrt``), it has two to four characters, it begins with a
    surname of :func:`surnames` and it is rare in jieba's dictionary (fewer than
    :data:`_COMMON_WORD_FREQ` occurrences: 阳光 and 文明 are tagged as names too). The tagger is
    slow (about 20,000 characters a second): use it on the few texts a page prints, not on a
    whole board; it finds most bare names (刘建国反映…) and masks a few place names as well.

    Parameters
    ----------
    texts
        Texts already masked by :func:`mask_introduced_names`.

    Returns
    -------
    list of str
        The texts with tagged names masked.
    """
    import jieba.posseg

    from govanalytics.hotwords._segment import _jieba_base

    base = _jieba_base()
    tagger = jieba.posseg.POSTokenizer(base)
    sur = surnames()
    out = []
    for text in texts:
        parts = []
        for word, flag in tagger.lcut(text):
            head = 2 if word[:2] in sur else 1
            if (
                flag in _PERSON_TAGS
                and 2 <= len(word) <= 4
                and word[:head] in sur
                and len(word) > head
                and (base.FREQ.get(word) or 0) < _COMMON_WORD_FREQ
            ):
                word = word[:head] + "*" * (len(word) - head)
            parts.append(word)
        out.append("".join(parts))
    return out
