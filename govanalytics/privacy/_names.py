"""Names of private persons in running text: titles, signatures, self-introductions, labels.

How citizens and clerks write a person's name, and what :func:`mask_names` makes of it (the
surname is kept, the given name becomes ``*``):

=====================  ===========================================  =========================
form                   example                                      masked
=====================  ===========================================  =========================
title                  张先生, 李女士, 王阿姨, 刘建国同志           张*, 李*, 王*, 刘*
signature              市民刘建国反映, 联系人：陈静，               市民刘**反映, 联系人：陈**，
self-introduction      我叫张三，姓名：欧阳娜娜                     我叫张**，姓名：欧阳**
label or kinship word  本人李某某，男; 我父亲刘平积今年80岁;        本人李**，男; 我父亲刘**今年…;
                       我是王某国，住在…; 业主赵海反映              我是王**，住在…; 业主赵**反映
=====================  ===========================================  =========================

After a self-introduction cue (:data:`NAME_CUES`: 我叫, 姓名, 名叫, …) a surname and the next
one or two characters are always masked. After a label or kinship word (:data:`NAME_LEADS`:
本人, 我是, 当事人, 户主, 父亲, 业主, 网格员, …) only when they are followed by punctuation
or a word that typically follows a name (是, 今年, 男, 身份证, 家住, 反映, …) and do not read
as an ordinary word of jieba's dictionary (本人**向法院**提起, 业主**利益**, 我是**江西**人
stay). Surnames: ``resources/surnames.txt`` (about 430, single and compound, :func:`surnames`).

A name standing alone in running text, with no cue (刘建国反映…), is not found here; a
part-of-speech tagger finds most of them, at about 20,000 characters a second (for the few
texts a page shows: :func:`govanalytics.hotwords.mask_tagged_names`).
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

import polars as pl

from govanalytics.validation import bool_like

__all__ = [
    "NAME_CUES",
    "NAME_LEADS",
    "SIGNATURE_LEADS",
    "SURNAMES",
    "TITLES",
    "find_introduced_names",
    "mask_names",
    "surnames",
]

#: The hundred commonest Chinese surnames: the only ones read before a title or a
#: one-character given name (rarer surnames are ordinary characters too often).
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏"
    "苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵"
    "万钱严覃武戴莫孔向汤欧"
)
#: Titles that follow a surname (and maybe a given name) in letters and hotline records.
TITLES = ("先生", "女士", "小姐", "阿姨", "大爷", "大妈", "师傅", "老伯", "奶奶", "爷爷", "同志")
#: Words that introduce a name in a signature or a hotline record (no dictionary check).
SIGNATURE_LEADS = ("市民", "业主", "居民", "来电人", "联系人", "反映人", "投诉人", "署名", "落款")
#: Cues right after which a name is written: always masked when a surname follows.
NAME_CUES = (
    "我叫",
    "他叫",
    "她叫",
    "名叫",
    "名字叫",
    "名字是",
    "姓名",
    "姓名是",
    "本人叫",
    "本人名叫",
    "我的名字是",
    "我的名字叫",
)
#: Words after which a name is often, not always, written (本人[name]，男 but 本人所购房屋).
NAME_LEADS = (
    "本人",
    "我是",
    "当事人",
    "户主",
    "联系人",
    "申请人",
    "举报人",
    "投诉人",
    "反映人",
    "来电人",
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
    "同事",
    "朋友",
    "邻居",
    "老人",
    "学生",
    "职工",
    "员工",
    "村民",
    "居民",
    "市民",
    "业主",
    "住户",
    "租户",
    "租客",
    "房东",
    "法人",
    "法定代表人",
    "签名",
    "署名",
    "落款",
    "实名",
    "实名求助",
    "实名举报",
    "求助人",
    "编写人",
    "负责人",
    "经办人",
    "网格员",
    "社工",
    "工作人员",
    "民警",
    "医生",
    "护士",
    "老师",
    "校长",
    "院长",
    "老板",
    "经理",
    "主任",
    "书记",
    "村长",
    "组长",
)
#: What may follow a name after a lead word: punctuation, or a word that typically follows a
#: name in citizen letters (是, 今年, 男, 女, 身份证, 家住, 反映, …).
_AFTER_NAME = (
    r"[，。,.、;；:：!！?？\s(（\[【“\"]|是|今年|现年|男|女|身份证|家住|住在|住|系|现|于|在|"
    r"出生|生于|电话|手机|联系|反映|来电|投诉|表示|称|说|等|和|与|及|的|因|从|自|已|也|一直|"
    r"同志|老师|$"
)
#: A word this frequent in jieba's dictionary is an ordinary word, not a name.
_COMMON_WORD_FREQ = 50
#: A name whose first two characters are this frequent a word begins with a word (江西人).
_COMMON_PREFIX_FREQ = 500
#: A given name this frequent a word is an ordinary word after a surname-like character.
_COMMON_GIVEN_FREQ = 5000
#: Python's ``re`` has no ``\p{Han}``: the CJK blocks instead (polars' regex has both).
_HAN_PY = "[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"


@cache
def surnames() -> tuple[str, ...]:
    """Chinese surnames, single and compound (``resources/surnames.txt``, about 430)."""
    text = resources.files("govanalytics.privacy").joinpath("resources", "surnames.txt")
    words: list[str] = []
    for line in text.read_text("utf-8").splitlines():
        if not line.lstrip().startswith("#"):
            words.extend(line.split())
    return tuple(dict.fromkeys(words))


@cache
def _word_freq() -> dict[str, int]:
    """Frequencies of jieba's dictionary (``jieba/dict.txt``), read once per process."""
    import jieba

    path = resources.files(jieba).joinpath("dict.txt")
    frame = pl.read_csv(
        path.read_bytes(),
        separator=" ",
        has_header=False,
        new_columns=["word", "freq", "tag"],
        schema={"word": pl.String, "freq": pl.Int64, "tag": pl.String},
        quote_char=None,
        truncate_ragged_lines=True,
    )
    return dict(zip(frame["word"].to_list(), frame["freq"].to_list(), strict=True))


@cache
def _patterns(han: str) -> tuple[str, str]:
    """Regexes of a cue or lead word, a separator, a surname and a given name.

    Groups: 1 cue or lead, 2 separator, 3 surname, 4 given name (one or two characters,
    shortest first in the bounded form), 5 what follows (in the greedy form any character
    but ``*``, so that a name masked already is left alone).
    """
    single = "".join(s for s in surnames() if len(s) == 1)
    compound = "|".join(s for s in surnames() if len(s) > 1)
    sur = f"({compound}|[{single}])"
    sep = r"([:：]?\s?)"
    cues = "|".join(sorted(NAME_CUES, key=len, reverse=True))
    leads = "|".join(sorted({*NAME_CUES, *NAME_LEADS}, key=len, reverse=True))
    bounded = f"({leads}){sep}{sur}({han}{{1,2}}?)({_AFTER_NAME})"
    greedy = f"({cues}){sep}{sur}({han}{{1,2}})([^*]|$)"
    return bounded, greedy


def _is_name(cue: str, surname: str, given: str) -> bool:
    """Whether ``surname + given`` after ``cue`` reads as a person's name, not a word.

    After a self-introduction cue always (unless already masked or written 某). After a lead
    word: not a frequent word of jieba's dictionary as a whole (业主**利益**), nor in its first
    two characters (我是**江西**人) or its given name (孩子**都一样**); a one-character given
    name only after one of the hundred commonest surnames (业主**公摊** stays).
    """
    if set(given) <= {"某", "*"}:
        return False
    if cue in NAME_CUES:
        return True
    freq = _word_freq()
    name = surname + given
    if (freq.get(name) or 0) >= _COMMON_WORD_FREQ:
        return False
    if len(given) == 1:
        return surname in SURNAMES
    if len(surname) == 1 and (freq.get(name[:2]) or 0) >= _COMMON_PREFIX_FREQ:
        return False
    return (freq.get(given) or 0) < _COMMON_GIVEN_FREQ


_SUR_COMMON = f"[{SURNAMES}]"
#: Surname, maybe a given name of one or two characters, a title: 张先生, 刘建国同志.
_TITLE_RE = f"({_SUR_COMMON})(?:\\p{{Han}}{{1,2}}?)?(?:{'|'.join(TITLES)})"
#: A signature word, a surname of the hundred commonest and one or two characters.
_SIGN_RE = (
    f"({'|'.join(SIGNATURE_LEADS)})([:：]?)({_SUR_COMMON})\\p{{Han}}{{1,2}}"
    r"([，。,.!！;；、\s—-]|反映|来电|投诉|表示|称|$)"
)


def _mask_introduced(sub: pl.Series) -> tuple[pl.Series, int]:
    """Names after cues and lead words: candidates found in polars, judged in Python."""
    count = 0
    for polars_re, python_re in zip(_patterns(r"\p{Han}"), _patterns(_HAN_PY), strict=True):
        # twice: a match consumes the character after the name, which may begin the next cue
        for _ in range(2):
            found = sub.str.extract_all(polars_re).explode().drop_nulls().value_counts()
            keys, values = [], []
            for match, n in found.iter_rows():
                m = re.fullmatch(python_re, match)
                if m is None or not _is_name(m[1], m[3], m[4]):
                    continue
                keys.append(match)
                values.append(f"{m[1]}{m[2]}{m[3]}**{m[5]}")
                count += n
            if not keys:
                break
            order = sorted(range(len(keys)), key=lambda i: -len(keys[i]))
            sub = sub.str.replace_many(
                [keys[i] for i in order], [values[i] for i in order], leftmost=True
            )
    return sub, count


def mask_names(
    texts: pl.Series, *, introduced: bool = True, titled: bool = True
) -> tuple[pl.Series, int]:
    """Mask names of private persons in running text (see the module's table).

    Parameters
    ----------
    texts
        Text column (``pl.String``); nulls stay null. Numbers should be masked first
        (:func:`~govanalytics.privacy.mask_personal_data` does both, numbers first).
    introduced
        Also mask names after self-introduction cues and label or kinship words (我叫张三,
        本人李某某，男, 我是王某国，…). Default True; False masks only titles and signatures.
    titled
        Mask names with a title (张先生) or in a signature (市民刘建国). Default True; False
        with ``introduced`` masks (and counts) only the introduced names, for callers that
        masked titles already (:func:`~govanalytics.privacy.mask_personal_data`).

    Returns
    -------
    masked : pl.Series
        The text with names masked: the surname kept, ``*`` for the given name (``张*`` before
        a title, ``刘**`` elsewhere).
    count : int
        Number of names masked.

    Examples
    --------
    >>> s = pl.Series(["我叫张三，家住A市。", "来电人李女士反映"])
    >>> mask_names(s)[0].to_list()
    ['我叫张**，家住A市。', '来电人李*反映']
    """
    bool_like(introduced, "introduced")
    bool_like(titled, "titled")
    words = [*TITLES, *SIGNATURE_LEADS] if titled else []
    if introduced:
        words += [*NAME_CUES, *NAME_LEADS]
    if not words:
        return texts, 0
    rows = texts.str.contains_any(words).fill_null(False).arg_true()
    if rows.len() == 0:
        return texts, 0
    sub = texts.gather(rows)
    count = 0
    if titled:
        count += int(sub.str.count_matches(_TITLE_RE).sum() or 0)
        sub = sub.str.replace_all(_TITLE_RE, "${1}*")
        count += int(sub.str.count_matches(_SIGN_RE).sum() or 0)
        sub = sub.str.replace_all(_SIGN_RE, "${1}${2}${3}**${4}")
    if introduced:
        sub, n = _mask_introduced(sub)
        count += n
    return texts.clone().scatter(rows, sub), count  # scatter writes in place


@cache
def _cue_re() -> re.Pattern[str]:
    return re.compile("|".join(NAME_CUES))


@cache
def _gate_re() -> re.Pattern[str]:
    single = "".join(s for s in surnames() if len(s) == 1)
    compound = "|".join(s for s in surnames() if len(s) > 1)
    cues = "|".join(sorted(NAME_CUES, key=len, reverse=True))
    return re.compile(f"({cues})[:：]?\\s?({compound}|[{single}])({_HAN_PY}{{1,2}})")


def find_introduced_names(text: str) -> list[tuple[int, int, str]]:
    """Unmasked names right after a self-introduction cue (我叫, 姓名, 名叫, …) in ``text``.

    What the published-artefact gate checks for names: a surname and the next one or two
    characters after a cue of :data:`NAME_CUES` (as the masker reads them), not written
    ``某``/``*`` and not a frequent word of jieba's dictionary. Names after titles or lead words
    are left to the masker upstream (too many ordinary words follow them to fail a report on).

    Returns
    -------
    list of tuple
        ``(start, end, name)`` of each name.
    """
    if not _cue_re().search(text):
        return []
    out = []
    freq = None
    for m in _gate_re().finditer(text):
        name = m[2] + m[3]
        if set(m[3]) <= {"某", "*"}:
            continue
        freq = freq or _word_freq()
        if (freq.get(name) or 0) >= _COMMON_WORD_FREQ or (freq.get(m[3]) or 0) >= (
            _COMMON_GIVEN_FREQ
        ):
            continue
        out.append((m.start(2), m.end(3), name))
    return out
