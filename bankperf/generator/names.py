"""Plausible fake Chinese names, certificate numbers, phones and addresses.

The bank is a fictitious city commercial bank in Jinhua, Zhejiang; people,
companies and streets are drawn from common characters so every value is
GBK-encodable (many cores export GBK). All builders are vectorised: they take
a generator and a count and return object arrays of Python strings.
"""

from __future__ import annotations

import numpy as np

from .dates import date_strs

_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任卢"
    "姚沈钟姜崔谭陆范汪廖石金贾夏傅方邹熊白孟秦邱侯江尹薛段雷龙黎史陶贺毛郝顾龚邵万武钱戴严莫孔向常汤康易"
    "乔赖文施洪楼应章俞骆胡倪"
)
_GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红玲芬燕彬鹏辉斌宇浩凯健俊帆旭宁林欣佳怡婷雪琳晨"
    "悦泽轩睿博文一子梓涵诗雨思梦嘉晓海建国志新德春金荣云飞峰兵波亮成立东小永生家慧倩晶颖婧楠瑶璐琪昊然铭"
    "瑞宏维毅鑫鸿晖铮锋振卫忠福宝美兰凤莉梅琴蓉洁琦天乐安心怀远"
)
_TRADE_HEAD = "宏恒华永金鼎天瑞盛博新弘荣富协同嘉兴汇中银巨东正长海宇星美万亿立顺众明丰康泰安信德"
_TRADE_TAIL = "达信顺安鼎盛成丰源远宇毅华通力创禾业天河龙方泰风纳航辰欣豪诚珠利隆昌辉祥科盈"
INDUSTRIES = (
    ("机械制造", "C34"), ("五金制品", "C33"), ("纺织", "C17"), ("服饰", "C18"), ("电子科技", "C39"),
    ("新型建材", "C30"), ("工艺品", "C24"), ("食品", "C14"), ("汽车配件", "C36"), ("塑料制品", "C29"),
    ("化工", "C26"), ("商贸", "F51"), ("进出口", "F51"), ("电子商务", "F52"), ("物流", "G54"),
    ("建设工程", "E48"), ("置业", "K70"), ("餐饮管理", "H62"), ("信息技术", "I65"), ("文化传媒", "R86"),
    ("农业开发", "A01"), ("医疗器械", "C35"), ("家具", "C21"), ("包装", "C22"),
)
_COMPANY_TOWNS = ("金华市", "义乌市", "东阳市", "永康市", "兰溪市", "浦江县", "武义县", "磐安县", "浙江")
_COMPANY_FORMS = ("有限公司", "股份有限公司", "有限责任公司")
_FI_PLACES = ("金华", "义乌", "东阳", "永康", "兰溪", "浦江", "武义", "磐安", "金东", "婺城")
_FI_FORMS = (
    ("浙江{p}农村商业银行股份有限公司", "J66"),
    ("{p}{t}村镇银行股份有限公司", "J66"),
    ("{t}证券股份有限公司金华分公司", "J67"),
    ("{t}人寿保险股份有限公司金华中心支公司", "J68"),
    ("{t}基金管理有限公司", "J67"),
    ("{t}信托有限责任公司", "J69"),
    ("{p}{t}集团财务有限公司", "J66"),
)
# (city, district, 6-digit administrative code used in ID numbers)
_DISTRICTS = (
    ("金华市", "婺城区", "330702"), ("金华市", "金东区", "330703"), ("金华市", "开发区", "330702"),
    ("义乌市", "稠城街道", "330782"), ("义乌市", "佛堂镇", "330782"), ("东阳市", "吴宁街道", "330783"),
    ("永康市", "东城街道", "330784"), ("兰溪市", "兰江街道", "330781"), ("浦江县", "浦阳街道", "330726"),
    ("武义县", "白洋街道", "330723"), ("磐安县", "安文街道", "330727"),
)
ROADS = (
    "解放路", "人民路", "八一北街", "双龙南街", "宾虹路", "李渔路", "环城南路", "丹溪路", "新华街", "胜利街",
    "光南路", "将军路", "婺江路", "迎宾大道", "金华山路", "骆家塘路", "宏济街", "丽泽路", "东市街", "西市街",
    "通济路", "回溪街", "工人路", "青春路", "稠州路", "宾王路", "江滨路", "城中路", "商城大道", "华丰路",
    "九峰路", "西关街", "五一路", "中山路", "劳动路", "站前大道", "环城北路", "飘萍路", "芙蓉路", "世贸大道",
)
# Places that give sub-branches their names, beyond the streets.
TOWNS = (
    "江南", "多湖", "罗店", "汤溪", "琅琊", "洋埠", "白龙桥", "孝顺", "曹宅", "塘雅", "澧浦", "岭下", "赤松",
    "源东", "佛堂", "苏溪", "大陈", "上溪", "义亭", "廿三里", "横店", "南马", "巍山", "歌山", "虎鹿", "古山",
    "芝英", "象珠", "石柱", "游埠", "诸葛", "女埠", "香溪", "黄宅", "郑宅", "岩头", "柳城", "桐琴", "尚湖",
    "玉山", "仁川", "尖山", "城南", "城北", "江北", "高新区", "商贸城", "工业园区", "火车站", "科技城",
    "金西", "傅村", "雅畈", "安地", "蒋堂", "白沙", "长山", "乾西", "竹马", "苏孟", "东孝", "开发区",
    "稠江", "北苑", "后宅", "城西", "福田", "江东", "赤岸", "大畈", "佐村", "湖溪", "千祥", "画水", "六石",
    "马宅", "花桥", "西溪", "唐先", "舟山", "龙山", "石角", "前仓", "黄店", "梅江", "马涧", "水亭", "杭坪",
    "檀溪", "郑家坞", "王宅", "履坦", "茭道", "熟溪", "壶山", "泉溪", "新宅",
)
_MOBILE = ("138", "139", "135", "136", "137", "150", "151", "152", "157", "158", "159", "182", "187",
           "188", "130", "131", "132", "155", "156", "186", "133", "153", "180", "189", "177", "199")
_USCC_CHARS = np.array(list("0123456789ABCDEFGHJKLMNPQRTUWXY"))
_ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
_ID_CHECK = np.array(list("10X98765432"))


def _pick(rng: np.random.Generator, pool: str | tuple[str, ...], n: int) -> np.ndarray:
    items = np.array(list(pool))
    return items[rng.integers(0, len(items), n)]


def _cat(*parts: np.ndarray | str) -> np.ndarray:
    """Element-wise concatenation of string arrays/scalars -> object array of str."""
    out = np.asarray(parts[0])
    for part in parts[1:]:
        out = np.strings.add(out, np.asarray(part))
    return out.astype(object)


def _zfill(values: np.ndarray, width: int) -> np.ndarray:
    """Zero-padded text of integers (numpy's zfill refuses empty arrays)."""
    if len(values) == 0:
        return np.zeros(0, dtype=f"U{width}")
    return np.strings.zfill(values.astype(str), width)


def _digits(rng: np.random.Generator, n: int, width: int) -> np.ndarray:
    return _zfill(rng.integers(0, 10**width, n), width)


def person_names(rng: np.random.Generator, n: int) -> np.ndarray:
    """Surname plus one or two given-name characters (two is more common today)."""
    surname = _pick(rng, _SURNAMES, n)
    first = _pick(rng, _GIVEN, n)
    second = np.where(rng.random(n) < 0.7, _pick(rng, _GIVEN, n), "")
    return _cat(surname, first, second)


def company_names(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Company names and their industry codes (GB/T 4754 letter + division)."""
    ind = rng.integers(0, len(INDUSTRIES), n)
    words = np.array([w for w, _ in INDUSTRIES])[ind]
    codes = np.array([c for _, c in INDUSTRIES], dtype=object)[ind]
    town = np.array(_COMPANY_TOWNS)[rng.integers(0, len(_COMPANY_TOWNS), n)]
    form = np.array(_COMPANY_FORMS)[rng.choice(3, n, p=[0.85, 0.10, 0.05])]
    names = _cat(town, _pick(rng, _TRADE_HEAD, n), _pick(rng, _TRADE_TAIL, n), words, form)
    return names, codes


def institution_names(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Interbank counterparties: rural banks, securities, insurers, finance companies."""
    names = np.empty(n, dtype=object)
    codes = np.empty(n, dtype=object)
    form = rng.choice(len(_FI_FORMS), n, p=[0.3, 0.2, 0.15, 0.1, 0.1, 0.05, 0.1])
    place = rng.integers(0, len(_FI_PLACES), n)
    trade = _cat(_pick(rng, _TRADE_HEAD, n), _pick(rng, _TRADE_TAIL, n))
    for i in range(n):  # a few dozen rows at most
        template, code = _FI_FORMS[form[i]]
        names[i] = template.format(p=_FI_PLACES[place[i]], t=trade[i])
        codes[i] = code
    return names, codes


def person_cert_numbers(rng: np.random.Generator, n: int, today: int) -> np.ndarray:
    """18-digit resident ID numbers with a valid ISO 7064 check digit, ages 18-80."""
    area = np.array([d[2] for d in _DISTRICTS])[rng.integers(0, len(_DISTRICTS), n)]
    birth = today - rng.integers(18 * 365, 80 * 365, n)
    body = np.strings.add(np.strings.add(area, date_strs(birth).astype("U8")), _digits(rng, n, 3))
    digits = np.ascontiguousarray(body.astype("U17")).view(np.uint32).reshape(n, 17).astype(np.int64) - 48
    check = _ID_CHECK[(digits @ _ID_WEIGHTS) % 11]
    return _cat(body, check)


def company_cert_numbers(rng: np.random.Generator, n: int) -> np.ndarray:
    """18-character unified social credit codes of Jinhua-registered entities."""
    area = np.array([d[2] for d in _DISTRICTS])[rng.integers(0, len(_DISTRICTS), n)]
    tail = np.ascontiguousarray(_USCC_CHARS[rng.integers(0, len(_USCC_CHARS), (n, 10))]).view("U10").ravel()
    return _cat("91", area, tail)


def mobile_numbers(rng: np.random.Generator, n: int) -> np.ndarray:
    return _cat(np.array(_MOBILE)[rng.integers(0, len(_MOBILE), n)], _digits(rng, n, 8))


def landline_numbers(rng: np.random.Generator, n: int) -> np.ndarray:
    return _cat("0579", _digits(rng, n, 8))


def addresses(rng: np.random.Generator, n: int, with_unit: float = 0.6) -> np.ndarray:
    """Street addresses; a share of them with building, unit and room (residential)."""
    district = rng.integers(0, len(_DISTRICTS), n)
    city = np.array([d[0] for d in _DISTRICTS])[district]
    area = np.array([d[1] for d in _DISTRICTS])[district]
    road = np.array(ROADS)[rng.integers(0, len(ROADS), n)]
    number = rng.integers(1, 900, n).astype(str)
    unit = _cat(rng.integers(1, 30, n).astype(str), "幢", rng.integers(1, 5, n).astype(str), "单元",
                rng.integers(1, 25, n).astype(str), _zfill(rng.integers(1, 5, n), 2), "室")
    unit = np.where(rng.random(n) < with_unit, unit.astype(str), "")
    return _cat(city, area, road, number, "号", unit)
