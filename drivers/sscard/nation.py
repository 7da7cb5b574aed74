"""Ethnic group codes (GB/T 3304-1991), as stored on ID and social security cards.

Kept here until a shared table exists (the resident ID card driver needs the
same one); it is data, not logic.
"""

from __future__ import annotations

_NAMES = (  # noqa: SIM905 - one line of names reads better than 56 quoted items
    "汉 蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 "
    "佤 畲 高山 拉祜 水 东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 "
    "阿昌 普米 塔吉克 怒 乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 "
    "门巴 珞巴 基诺"
).split()

NATIONS: dict[int, str] = {i + 1: name for i, name in enumerate(_NAMES)}
NATIONS[97] = "其他"
NATIONS[98] = "外国血统中国籍人士"


def nation_name(code: int) -> str:
    """The name for a GB/T 3304 code (1 -> "汉"); "" when the code is unknown."""
    return NATIONS.get(code, "")
