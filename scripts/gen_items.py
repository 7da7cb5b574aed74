"""Write config/items.csv, the service-item catalogue, from the table below.

    .venv/bin/python scripts/gen_items.py

Codes are stable: an item already in config/items.csv keeps its code (matched
by Chinese name); a new item gets the next free number. So add items anywhere
in the table, never rename one in place unless its code should follow.
The pinyin column is generated (hall.core.catalogue.pinyin_initials), never typed.

Item names follow the wording of Chinese service-item lists (政务服务事项
清单) as halls display them; the domain is the window area (分领域) that
would take them in a hall like Jiangbei's or Dianjiang's.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from hall.core.catalogue import COLUMNS, DEFAULT_PATH, DOMAINS, load_catalogue, pinyin_initials

# (name, name_en, domain); one row per item, so fmt is off for the table
# fmt: off
ITEMS: list[tuple[str, str, str]] = [
    # --- market supervision 市场监管 ---
    ("营业执照设立登记", "Business licence: establishment", "market"),
    ("营业执照变更登记", "Business licence: change of particulars", "market"),
    ("营业执照注销登记", "Business licence: deregistration", "market"),
    ("营业执照遗失补领", "Business licence: replacement of lost licence", "market"),
    ("个体工商户注册登记", "Sole trader (individual business) registration", "market"),
    ("个体工商户变更登记", "Sole trader: change of particulars", "market"),
    ("个体工商户注销登记", "Sole trader: deregistration", "market"),
    ("有限责任公司设立登记", "Limited liability company: establishment", "market"),
    ("股份有限公司设立登记", "Joint-stock company: establishment", "market"),
    ("分公司设立登记", "Branch company: establishment", "market"),
    ("个人独资企业设立登记", "Sole proprietorship enterprise: establishment", "market"),
    ("合伙企业设立登记", "Partnership enterprise: establishment", "market"),
    ("农民专业合作社设立登记", "Farmers' cooperative: establishment", "market"),
    ("外商投资企业设立登记", "Foreign-invested enterprise: establishment", "market"),
    ("非公司企业法人设立登记", "Non-company enterprise legal person: establishment", "market"),
    ("企业名称自主申报", "Enterprise name self-declaration", "market"),
    ("企业简易注销登记", "Enterprise simplified deregistration", "market"),
    ("企业迁移登记", "Enterprise relocation registration", "market"),
    ("企业董事监事经理备案", "Filing of directors, supervisors and managers", "market"),
    ("企业章程修正案备案", "Filing of amended articles of association", "market"),
    ("市场主体歇业备案", "Business suspension (dormancy) filing", "market"),
    ("企业年度报告公示", "Enterprise annual report publication", "market"),
    ("经营异常名录移出申请", "Removal from the abnormal operations list", "market"),
    ("股权出质登记", "Equity pledge registration", "market"),
    ("动产抵押登记", "Chattel mortgage registration", "market"),
    ("企业登记档案查询", "Enterprise registration file enquiry", "market"),
    ("食品经营许可", "Food business licence", "market"),
    ("食品经营许可变更", "Food business licence: change", "market"),
    ("食品经营许可延续", "Food business licence: renewal", "market"),
    ("食品经营许可注销", "Food business licence: cancellation", "market"),
    ("食品生产许可", "Food production licence", "market"),
    ("食品生产许可变更", "Food production licence: change", "market"),
    ("食品小作坊登记", "Small food workshop registration", "market"),
    ("小餐饮经营登记", "Small catering business registration", "market"),
    ("食品摊贩登记", "Food stall registration", "market"),
    ("药品零售许可", "Retail pharmacy licence", "market"),
    ("药品经营许可证变更", "Drug trading licence: change", "market"),
    ("执业药师注册", "Licensed pharmacist registration", "market"),
    ("第二类医疗器械经营备案", "Class II medical device trading filing", "market"),
    ("第三类医疗器械经营许可", "Class III medical device trading licence", "market"),
    ("药品广告审查", "Drug advertisement review", "market"),
    ("特种设备使用登记", "Special equipment use registration", "market"),
    ("特种设备作业人员资格认定", "Special equipment operator qualification", "market"),
    ("特种设备安装改造修理告知", "Special equipment installation/repair notification", "market"),
    ("工业产品生产许可", "Industrial product production licence", "market"),
    ("检验检测机构资质认定", "Inspection and testing body accreditation", "market"),
    ("计量标准器具核准", "Measurement standard approval", "market"),
    ("商标注册申请受理", "Trademark application (local acceptance)", "market"),
    ("商标专用权质押登记", "Trademark pledge registration", "market"),
    # --- transport 交通运输 ---
    ("道路运输经营许可", "Road transport business licence", "transport"),
    ("道路旅客运输经营许可", "Road passenger transport licence", "transport"),
    ("道路货物运输经营许可", "Road freight transport licence", "transport"),
    ("危险货物道路运输经营许可", "Dangerous goods road transport licence", "transport"),
    ("道路运输经营许可证换发", "Road transport licence: renewal", "transport"),
    ("道路运输车辆营运证配发", "Road transport vehicle operating certificate", "transport"),
    ("道路运输从业人员从业资格证核发", "Road transport worker qualification certificate", "transport"),
    ("出租汽车驾驶员从业资格", "Taxi driver qualification", "transport"),
    ("巡游出租汽车经营许可", "Street-hail taxi operating licence", "transport"),
    ("网络预约出租汽车运输证", "Ride-hailing vehicle transport permit", "transport"),
    ("网络预约出租汽车驾驶员证", "Ride-hailing driver permit", "transport"),
    ("城市公共汽车客运线路经营许可", "City bus route operating licence", "transport"),
    ("机动车驾驶员培训经营备案", "Driving school filing", "transport"),
    ("机动车维修经营备案", "Motor vehicle repair business filing", "transport"),
    ("超限运输车辆行驶公路许可", "Oversize/overweight vehicle highway permit", "transport"),
    ("占用、挖掘公路审批", "Occupying or excavating a highway: approval", "transport"),
    ("公路建筑控制区内埋设管线许可", "Laying pipelines in a highway control zone", "transport"),
    ("港口经营许可", "Port operation licence", "transport"),
    ("船舶营业运输证核发", "Ship operating transport certificate", "transport"),
    # --- engineering construction 工程建设 ---
    ("建筑工程施工许可", "Building construction permit", "construction"),
    ("建设工程规划许可", "Construction project planning permit", "construction"),
    ("施工图审查", "Construction drawing review", "construction"),
    ("建设工程质量监督登记", "Construction quality supervision registration", "construction"),
    ("建设工程安全监督登记", "Construction safety supervision registration", "construction"),
    ("建设工程消防设计审查", "Fire protection design review", "construction"),
    ("建设工程消防验收", "Fire protection acceptance inspection", "construction"),
    ("建设工程消防验收备案", "Fire protection acceptance filing", "construction"),
    ("房屋建筑和市政基础设施工程竣工验收备案", "Completion acceptance filing", "construction"),
    ("建设工程竣工规划核实", "Completion planning verification", "construction"),
    ("建设工程招标投标情况书面报告备案", "Construction tendering report filing", "construction"),
    ("建筑业企业资质核准", "Construction enterprise qualification", "construction"),
    ("建筑施工企业安全生产许可", "Construction enterprise work-safety licence", "construction"),
    ("房地产开发企业资质核定", "Real estate developer qualification", "construction"),
    ("商品房预售许可", "Pre-sale permit for commercial housing", "construction"),
    ("建筑起重机械使用登记", "Tower crane (construction hoist) use registration", "construction"),
    ("建筑起重机械产权备案", "Construction hoist ownership filing", "construction"),
    ("城镇污水排入排水管网许可", "Sewage discharge into the drainage network", "construction"),
    ("燃气经营许可", "Gas supply business licence", "construction"),
    ("城市建筑垃圾处置核准", "Construction waste disposal approval", "construction"),
    ("结合民用建筑修建防空地下室审批", "Civil air-defence basement approval", "construction"),
    ("市政设施建设类审批", "Municipal facility works approval", "construction"),
    ("建设工程施工合同备案", "Construction contract filing", "construction"),
    ("工程建设项目联合验收", "Joint completion acceptance of a project", "construction"),
    # --- tax 税务 ---
    ("税务登记", "Tax registration", "tax"),
    ("发票领用", "Invoice collection", "tax"),
    ("增值税一般纳税人登记", "General VAT taxpayer registration", "tax"),
    ("代开增值税发票", "VAT invoice issued on behalf", "tax"),
    ("纳税申报", "Tax return filing", "tax"),
    ("开具税收完税证明", "Tax payment certificate", "tax"),
    ("个人所得税综合所得汇算清缴", "Individual income tax annual reconciliation", "tax"),
    ("跨区域涉税事项报告", "Cross-region tax matters report", "tax"),
    ("出租房屋税费申报", "Rental housing tax declaration", "tax"),
    ("契税申报", "Deed tax declaration", "tax"),
    ("车辆购置税申报", "Vehicle purchase tax declaration", "tax"),
    ("出口退（免）税备案", "Export tax refund (exemption) filing", "tax"),
    ("清税注销", "Tax clearance for deregistration", "tax"),
    # --- real estate 不动产登记 ---
    ("不动产登记", "Real estate registration", "real_estate"),
    ("不动产首次登记", "Real estate first registration", "real_estate"),
    ("国有建设用地使用权及房屋所有权转移登记", "Transfer of land-use right and house ownership", "real_estate"),
    ("不动产继承转移登记", "Real estate transfer by inheritance", "real_estate"),
    ("不动产抵押权登记", "Mortgage registration", "real_estate"),
    ("不动产抵押权注销登记", "Mortgage cancellation", "real_estate"),
    ("不动产预告登记", "Advance notice registration", "real_estate"),
    ("不动产更正登记", "Real estate correction registration", "real_estate"),
    ("不动产变更登记", "Real estate change registration", "real_estate"),
    ("不动产登记资料查询", "Real estate register enquiry", "real_estate"),
    ("不动产权证书补发换发", "Real estate certificate replacement", "real_estate"),
    ("宅基地使用权及房屋所有权首次登记", "Rural homestead and house first registration", "real_estate"),
    ("商品房买卖合同网签备案", "New-home sale contract online filing", "real_estate"),
    ("存量房买卖合同网签备案", "Second-hand home sale contract online filing", "real_estate"),
    ("房屋租赁登记备案", "Housing lease registration", "real_estate"),
    # --- investment projects 投资项目 ---
    ("企业投资项目备案", "Enterprise investment project filing", "investment"),
    ("企业投资项目核准", "Enterprise investment project approval", "investment"),
    ("政府投资项目建议书审批", "Government investment project proposal approval", "investment"),
    ("政府投资项目可行性研究报告审批", "Government project feasibility study approval", "investment"),
    ("政府投资项目初步设计审批", "Government project preliminary design approval", "investment"),
    ("固定资产投资项目节能审查", "Fixed-asset investment energy review", "investment"),
    ("外商投资项目备案", "Foreign investment project filing", "investment"),
    ("境外投资项目备案", "Outbound investment project filing", "investment"),
    ("招标方案核准", "Tendering plan approval", "investment"),
    # --- public security 公安 ---
    ("居民身份证申领", "Resident ID card application", "public_security"),
    ("临时居民身份证申领", "Temporary resident ID card", "public_security"),
    ("居住证申领", "Residence permit application", "public_security"),
    ("居住证签注", "Residence permit annual endorsement", "public_security"),
    ("出生登记", "Birth registration (household register)", "public_security"),
    ("户口迁移", "Household registration transfer", "public_security"),
    ("户籍证明开具", "Household registration certificate", "public_security"),
    ("普通护照签发", "Ordinary passport", "public_security"),
    ("往来港澳通行证签发", "Mainland travel permit for Hong Kong and Macao", "public_security"),
    ("往来台湾通行证签发", "Mainland travel permit for Taiwan", "public_security"),
    ("机动车注册登记", "Motor vehicle registration", "public_security"),
    ("机动车驾驶证换证", "Driving licence renewal", "public_security"),
    ("无犯罪记录证明", "Certificate of no criminal record", "public_security"),
    ("旅馆业特种行业许可", "Hotel special trade licence", "public_security"),
    ("公章刻制备案", "Official seal engraving filing", "public_security"),
    # --- marriage 婚姻登记 ---
    ("结婚登记", "Marriage registration", "marriage"),
    ("离婚登记", "Divorce registration", "marriage"),
    ("补领结婚证", "Replacement marriage certificate", "marriage"),
    ("补领离婚证", "Replacement divorce certificate", "marriage"),
    ("婚姻登记档案查询", "Marriage register enquiry", "marriage"),
    ("收养登记", "Adoption registration", "marriage"),
    # --- social security 社会保障 (incl. medical insurance 医保) ---
    ("社保参保登记", "Social insurance enrolment", "social_security"),
    ("灵活就业人员参保登记", "Social insurance enrolment (flexible workers)", "social_security"),
    ("城乡居民基本养老保险参保登记", "Urban-rural residents' pension enrolment", "social_security"),
    ("养老保险关系转移", "Pension insurance transfer", "social_security"),
    ("养老保险待遇申领", "Pension benefit claim (retirement)", "social_security"),
    ("失业保险金申领", "Unemployment benefit claim", "social_security"),
    ("工伤认定申请", "Work injury determination", "social_security"),
    ("劳动能力鉴定申请", "Work capacity assessment", "social_security"),
    ("社会保障卡申领", "Social security card application", "social_security"),
    ("社会保障卡挂失补换", "Social security card loss report and replacement", "social_security"),
    ("就业登记", "Employment registration", "social_security"),
    ("失业登记", "Unemployment registration", "social_security"),
    ("就业创业证申领", "Employment and entrepreneurship certificate", "social_security"),
    ("创业担保贷款申请", "Business start-up guaranteed loan", "social_security"),
    ("社保个人权益记录查询打印", "Social insurance record printout", "social_security"),
    ("医保关系转移", "Medical insurance transfer", "social_security"),
    ("城乡居民医疗保险参保登记", "Urban-rural residents' medical insurance enrolment", "social_security"),
    ("异地就医备案", "Out-of-area medical treatment filing", "social_security"),
    ("门诊慢特病待遇认定", "Outpatient chronic/special disease entitlement", "social_security"),
    ("医疗费用手工报销", "Manual reimbursement of medical expenses", "social_security"),
    ("生育保险待遇申领", "Maternity insurance benefit claim", "social_security"),
    # --- civil affairs 民政 (incl. disabled persons' federation 残联) ---
    ("低保申请", "Minimum living allowance (dibao) application", "civil_affairs"),
    ("特困人员救助供养申请", "Support for persons in extreme poverty", "civil_affairs"),
    ("临时救助申请", "Temporary assistance application", "civil_affairs"),
    ("高龄津贴申领", "Old-age allowance claim", "civil_affairs"),
    ("老年人优待证办理", "Senior citizen preferential card", "civil_affairs"),
    ("残疾人证", "Disability certificate", "civil_affairs"),
    ("困难残疾人生活补贴", "Living allowance for disabled persons in difficulty", "civil_affairs"),
    ("重度残疾人护理补贴", "Care allowance for severely disabled persons", "civil_affairs"),
    ("孤儿基本生活费申领", "Orphan basic living allowance", "civil_affairs"),
    ("社会团体成立登记", "Social organisation registration", "civil_affairs"),
    ("民办非企业单位成立登记", "Private non-enterprise unit registration", "civil_affairs"),
    ("养老机构备案", "Elderly care institution filing", "civil_affairs"),
    ("惠民殡葬补贴申领", "Funeral subsidy claim", "civil_affairs"),
    ("退役军人优待证申领", "Veteran preferential card", "civil_affairs"),
    # --- health 卫生健康 ---
    ("出生医学证明", "Medical certificate of birth", "health"),
    ("生育登记", "Childbirth registration (family planning)", "health"),
    ("医疗机构执业登记", "Medical institution practice registration", "health"),
    ("诊所备案", "Clinic filing", "health"),
    ("医师执业注册", "Physician practice registration", "health"),
    ("护士执业注册", "Nurse practice registration", "health"),
    ("公共场所卫生许可", "Public place hygiene licence", "health"),
    ("生活饮用水供水单位卫生许可", "Drinking water supplier hygiene licence", "health"),
    ("放射诊疗许可", "Radiological diagnosis and treatment licence", "health"),
    ("母婴保健技术服务执业许可", "Maternal and infant health service licence", "health"),
    ("计划生育家庭奖励扶助", "Family planning reward and assistance", "health"),
    # --- housing provident fund 住房公积金 ---
    ("公积金提取", "Housing provident fund withdrawal", "housing_fund"),
    ("住房公积金缴存登记", "Housing provident fund employer registration", "housing_fund"),
    ("住房公积金个人账户设立", "Housing provident fund personal account", "housing_fund"),
    ("住房公积金贷款申请", "Housing provident fund loan application", "housing_fund"),
    ("住房公积金转移接续", "Housing provident fund transfer", "housing_fund"),
    ("住房公积金缴存证明", "Housing provident fund deposit certificate", "housing_fund"),
    # --- agriculture 农业农村 ---
    ("农药经营许可", "Pesticide trading licence", "agriculture"),
    ("兽药经营许可", "Veterinary drug trading licence", "agriculture"),
    ("农作物种子生产经营许可", "Crop seed production and trading licence", "agriculture"),
    ("动物防疫条件合格证核发", "Animal epidemic prevention certificate", "agriculture"),
    ("动物诊疗许可", "Animal clinic licence", "agriculture"),
    ("渔业捕捞许可", "Fishing licence", "agriculture"),
    ("拖拉机和联合收割机登记", "Tractor and combine harvester registration", "agriculture"),
    ("农村村民宅基地申请审批", "Rural homestead application", "agriculture"),
    ("农业机械购置补贴申请", "Farm machinery purchase subsidy", "agriculture"),
    # --- education 教育 ---
    ("教师资格认定", "Teacher qualification", "education"),
    ("民办学校办学许可", "Private school licence", "education"),
    ("民办幼儿园设立审批", "Private kindergarten approval", "education"),
    ("校外培训机构设立审批", "Off-campus tutoring institution approval", "education"),
    ("义务教育阶段学生转学", "School transfer (compulsory education)", "education"),
    ("家庭经济困难学生资助申请", "Student financial aid application", "education"),
    # --- culture and tourism 文化旅游 ---
    ("营业性演出许可", "Commercial performance licence", "culture"),
    ("娱乐场所经营许可", "Entertainment venue licence", "culture"),
    ("互联网上网服务营业场所经营许可", "Internet café licence", "culture"),
    ("旅行社设立许可", "Travel agency licence", "culture"),
    ("出版物零售单位设立", "Publication retail licence", "culture"),
    ("印刷经营许可", "Printing business licence", "culture"),
    ("艺术品经营单位备案", "Art dealer filing", "culture"),
    ("卫星电视广播地面接收设施安装许可", "Satellite TV receiving equipment licence", "culture"),
    ("高危险性体育项目经营许可", "High-risk sports business licence", "culture"),
    # --- planning and natural resources 规划自然资源 ---
    ("建设项目用地预审与选址意见书", "Project land pre-review and site selection", "natural_resources"),
    ("建设用地规划许可", "Land-use planning permit", "natural_resources"),
    ("乡村建设规划许可", "Rural construction planning permit", "natural_resources"),
    ("临时用地审批", "Temporary land use approval", "natural_resources"),
    ("国有建设用地使用权划拨", "Allocation of state-owned construction land", "natural_resources"),
    ("林木采伐许可", "Tree felling permit", "natural_resources"),
    ("使用林地审核", "Forest land use review", "natural_resources"),
    ("采矿权登记", "Mining right registration", "natural_resources"),
    # --- ecology and environment 生态环境 ---
    ("建设项目环境影响评价文件审批", "Environmental impact assessment approval", "ecology"),
    ("建设项目环境影响登记表备案", "Environmental impact registration form filing", "ecology"),
    ("排污许可", "Pollutant discharge permit", "ecology"),
    ("危险废物经营许可", "Hazardous waste business licence", "ecology"),
    ("辐射安全许可", "Radiation safety licence", "ecology"),
    ("夜间施工许可", "Night-time construction noise permit", "ecology"),
    # --- water 水利 ---
    ("取水许可", "Water abstraction permit", "water"),
    ("生产建设项目水土保持方案审批", "Soil and water conservation plan approval", "water"),
    ("河道管理范围内建设项目工程建设方案审批", "Works within river management area: approval", "water"),
    ("河道采砂许可", "River sand mining permit", "water"),
    ("洪水影响评价类审批", "Flood impact assessment approval", "water"),
    ("农村集体经济组织修建水库审批", "Rural collective reservoir construction approval", "water"),
    # --- other 其他 (city management, emergency, justice, archives…) ---
    ("户外广告设施设置审批", "Outdoor advertising installation approval", "other"),
    ("城市道路占用挖掘许可", "Occupying or excavating a city road", "other"),
    ("临时占用城市绿地审批", "Temporary occupation of urban green space", "other"),
    ("砍伐城市树木审批", "Felling urban trees: approval", "other"),
    ("烟花爆竹零售许可", "Fireworks retail licence", "other"),
    ("危险化学品经营许可", "Hazardous chemicals trading licence", "other"),
    ("公众聚集场所投入使用营业前消防安全检查", "Fire safety check before opening a public venue", "other"),
    ("雷电防护装置设计审核", "Lightning protection design review", "other"),
    ("法律援助申请", "Legal aid application", "other"),
    ("公证申请", "Notarisation application", "other"),
    ("档案查询利用", "Archives enquiry", "other"),
    ("人防工程拆除审批", "Civil air-defence works demolition approval", "other"),
    ("“办不成事”反映", "Report a matter that could not get done", "other"),
]
# fmt: on


def main(out: Path = DEFAULT_PATH) -> int:
    """Regenerate the CSV, keeping existing codes; return an exit status."""
    old = {item.name: item.code for item in load_catalogue(out)} if out.exists() else {}
    used = {int(code[3:]) for code in old.values()}
    next_number = max(used, default=0) + 1
    rows: list[tuple[str, str, str, str, str]] = []
    names: set[str] = set()
    for name, name_en, domain in ITEMS:
        if domain not in DOMAINS:
            print(f"{name}: unknown domain {domain}", file=sys.stderr)
            return 1
        if name in names:
            print(f"{name}: listed twice", file=sys.stderr)
            return 1
        names.add(name)
        code = old.get(name)
        if code is None:
            code = f"SC-{next_number:04d}"
            next_number += 1
        rows.append((code, name, name_en, domain, pinyin_initials(name)))
    rows.sort(key=lambda r: r[0])
    with out.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    print(f"wrote {len(rows)} items to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
