"""Vietnamese texts of the demo portfolio, each a ``(vi, en)`` pair so that a gloss is at hand.

Everything here is invented wording for a synthetic registry. Per technology-area code: lab-name
stems, research topics and the equipment categories that fit the area. Areas of a later list
version that are missing here fall back to :data:`FALLBACK_AREA`.
"""

from __future__ import annotations

Pair = tuple[str, str]

FALLBACK_AREA = "OTHER"

LAB_STEMS: dict[str, list[Pair]] = {
    "AI_TWIN_XR": [
        ("Trí tuệ nhân tạo ứng dụng", "Applied artificial intelligence"),
        ("Xử lý ngôn ngữ tự nhiên tiếng Việt", "Vietnamese natural language processing"),
        ("Bản sao số và thực tế ảo", "Digital twins and virtual reality"),
        ("Thị giác máy tính", "Computer vision"),
    ],
    "CLOUD_QUANTUM_DATA": [
        ("Dữ liệu lớn và điện toán đám mây", "Big data and cloud computing"),
        ("Tính toán lượng tử", "Quantum computing"),
        ("Tính toán hiệu năng cao", "High-performance computing"),
    ],
    "BLOCKCHAIN": [
        ("Công nghệ chuỗi khối", "Blockchain technology"),
        ("Sổ cái phân tán và tài sản số", "Distributed ledgers and digital assets"),
    ],
    "MOBILE_5G_6G": [
        ("Thông tin vô tuyến thế hệ mới", "Next-generation wireless communication"),
        ("Mạng di động 5G/6G", "5G/6G mobile networks"),
        ("Anten và siêu cao tần", "Antennas and microwave engineering"),
    ],
    "ROBOTICS_AUTOMATION": [
        ("Robot và tự động hóa", "Robotics and automation"),
        ("Cơ điện tử và sản xuất thông minh", "Mechatronics and smart manufacturing"),
        ("Điều khiển và hệ thống nhúng", "Control and embedded systems"),
    ],
    "SEMICONDUCTORS": [
        ("Vi mạch bán dẫn", "Semiconductor integrated circuits"),
        ("Công nghệ vi chế tạo", "Microfabrication technology"),
        ("Thiết kế và kiểm thử chip", "Chip design and testing"),
    ],
    "ENERGY": [
        ("Năng lượng tái tạo", "Renewable energy"),
        ("Lưu trữ năng lượng và pin", "Energy storage and batteries"),
        ("Hydro xanh", "Green hydrogen"),
    ],
    "MATERIALS": [
        ("Vật liệu tiên tiến", "Advanced materials"),
        ("Vật liệu nano", "Nanomaterials"),
        ("Phân tích cấu trúc vật liệu", "Materials structure analysis"),
    ],
    "BIOTECH": [
        ("Công nghệ gen", "Gene technology"),
        ("Công nghệ sinh học y dược", "Medical and pharmaceutical biotechnology"),
        ("Công nghệ sinh học nông nghiệp", "Agricultural biotechnology"),
        ("Vi sinh vật công nghiệp", "Industrial microbiology"),
    ],
    "AEROSPACE_UAV": [
        ("Công nghệ vũ trụ", "Space technology"),
        ("Thiết bị bay không người lái", "Unmanned aerial vehicles"),
        ("Khí động lực học", "Aerodynamics"),
    ],
    "CYBERSECURITY": [
        ("An toàn thông tin", "Information security"),
        ("An ninh mạng và phân tích mã độc", "Cybersecurity and malware analysis"),
    ],
    "OTHER": [
        ("Phân tích và kiểm nghiệm", "Analysis and testing"),
        ("Khoa học ứng dụng", "Applied science"),
    ],
}

TOPICS: dict[str, list[Pair]] = {
    "AI_TWIN_XR": [
        ("nhận dạng tiếng nói tiếng Việt", "Vietnamese speech recognition"),
        ("mô hình ngôn ngữ lớn tiếng Việt", "Vietnamese large language models"),
        ("bản sao số nhà máy", "factory digital twins"),
        ("chẩn đoán hình ảnh y tế bằng học sâu", "deep-learning medical imaging diagnosis"),
        ("thực tế tăng cường trong đào tạo nghề", "augmented reality for vocational training"),
    ],
    "CLOUD_QUANTUM_DATA": [
        ("nền tảng dữ liệu lớn dùng chung", "shared big-data platforms"),
        ("thuật toán lượng tử", "quantum algorithms"),
        ("điện toán đám mây lai", "hybrid cloud computing"),
        ("phân tích dữ liệu thời gian thực", "real-time data analytics"),
    ],
    "BLOCKCHAIN": [
        ("truy xuất nguồn gốc nông sản bằng chuỗi khối", "blockchain traceability of farm produce"),
        ("định danh số phi tập trung", "decentralised digital identity"),
        ("hợp đồng thông minh", "smart contracts"),
    ],
    "MOBILE_5G_6G": [
        ("thiết bị mạng lõi 5G", "5G core network equipment"),
        ("truyền thông vô tuyến 6G", "6G radio communication"),
        ("anten mảng pha", "phased-array antennas"),
        ("mạng riêng 5G cho khu công nghiệp", "private 5G networks for industrial parks"),
    ],
    "ROBOTICS_AUTOMATION": [
        ("robot công nghiệp cộng tác", "collaborative industrial robots"),
        ("dây chuyền lắp ráp tự động", "automated assembly lines"),
        ("robot nông nghiệp", "agricultural robots"),
        ("điều khiển thích nghi", "adaptive control"),
    ],
    "SEMICONDUCTORS": [
        ("thiết kế vi mạch tích hợp", "integrated circuit design"),
        ("đóng gói và kiểm thử chip", "chip packaging and testing"),
        ("linh kiện bán dẫn công suất", "power semiconductor devices"),
        ("cảm biến vi cơ điện tử", "MEMS sensors"),
    ],
    "ENERGY": [
        ("pin lithium thế hệ mới", "next-generation lithium batteries"),
        ("điện mặt trời hiệu suất cao", "high-efficiency solar power"),
        ("sản xuất hydro xanh", "green hydrogen production"),
        ("lưới điện thông minh", "smart grids"),
    ],
    "MATERIALS": [
        ("vật liệu nano chức năng", "functional nanomaterials"),
        ("vật liệu composite", "composite materials"),
        ("màng mỏng quang điện", "photovoltaic thin films"),
        ("vật liệu từ đất hiếm", "rare-earth materials"),
    ],
    "BIOTECH": [
        ("giải mã hệ gen cây trồng", "crop genome sequencing"),
        ("vắc xin thế hệ mới", "next-generation vaccines"),
        ("chẩn đoán phân tử", "molecular diagnostics"),
        ("lên men công nghiệp", "industrial fermentation"),
        ("tế bào gốc", "stem cells"),
    ],
    "AEROSPACE_UAV": [
        ("vệ tinh quan sát Trái Đất cỡ nhỏ", "small Earth-observation satellites"),
        ("thiết bị bay không người lái giám sát", "surveillance drones"),
        ("thiết bị bay không người lái phun thuốc", "crop-spraying drones"),
        ("điều khiển bay tự động", "autonomous flight control"),
    ],
    "CYBERSECURITY": [
        ("phát hiện xâm nhập mạng", "network intrusion detection"),
        ("phân tích mã độc", "malware analysis"),
        ("bảo mật hệ thống điều khiển công nghiệp", "industrial control system security"),
        ("mật mã hậu lượng tử", "post-quantum cryptography"),
    ],
    "OTHER": [
        ("kiểm nghiệm chất lượng sản phẩm", "product quality testing"),
        ("quan trắc môi trường", "environmental monitoring"),
        ("công nghệ chế biến thực phẩm", "food processing technology"),
    ],
}

AREA_EQUIPMENT: dict[str, list[str]] = {
    "AI_TWIN_XR": ["GPU_SERVER", "HPC_CLUSTER", "STORAGE_ARRAY", "OTHER"],
    "CLOUD_QUANTUM_DATA": [
        "HPC_CLUSTER", "STORAGE_ARRAY", "GPU_SERVER", "QUANTUM_DEVICE", "NETWORK_TESTBED",
    ],
    "BLOCKCHAIN": ["GPU_SERVER", "STORAGE_ARRAY", "NETWORK_TESTBED", "SECURITY_LAB_KIT"],
    "MOBILE_5G_6G": ["NETWORK_TESTBED", "GPU_SERVER", "STORAGE_ARRAY", "OTHER"],
    "ROBOTICS_AUTOMATION": ["ROBOT_ARM", "CNC_MACHINE", "GPU_SERVER", "OTHER"],
    "SEMICONDUCTORS": [
        "CLEANROOM", "LITHOGRAPHY", "DEPOSITION", "ELECTRON_MICROSCOPE", "XRAY_DIFFRACTOMETER",
        "SPECTROMETER",
    ],
    "ENERGY": [
        "BATTERY_TESTER", "SOLAR_SIMULATOR", "SPECTROMETER", "XRAY_DIFFRACTOMETER",
        "CHROMATOGRAPH",
    ],
    "MATERIALS": [
        "ELECTRON_MICROSCOPE", "XRAY_DIFFRACTOMETER", "SPECTROMETER", "DEPOSITION",
        "OPTICAL_MICROSCOPE", "MASS_SPECTROMETER",
    ],
    "BIOTECH": [
        "SEQUENCER", "PCR_SYSTEM", "BIOSAFETY_CABINET", "MASS_SPECTROMETER", "BIOREACTOR",
        "CHROMATOGRAPH", "OPTICAL_MICROSCOPE",
    ],
    "AEROSPACE_UAV": ["UAV_PLATFORM", "WIND_TUNNEL", "CNC_MACHINE", "GPU_SERVER"],
    "CYBERSECURITY": ["SECURITY_LAB_KIT", "NETWORK_TESTBED", "GPU_SERVER", "STORAGE_ARRAY"],
    "OTHER": ["OPTICAL_MICROSCOPE", "SPECTROMETER", "CHROMATOGRAPH", "OTHER"],
}

SECTORS: list[Pair] = [
    ("nông nghiệp", "agriculture"),
    ("y tế", "healthcare"),
    ("sản xuất công nghiệp", "manufacturing"),
    ("giao thông vận tải", "transport"),
    ("quản lý nhà nước", "public administration"),
    ("giáo dục", "education"),
    ("tài chính ngân hàng", "finance and banking"),
    ("bảo vệ môi trường", "environmental protection"),
    ("thủy sản", "fisheries"),
    ("đô thị thông minh", "smart cities"),
]

# Specific objects of work; with a pilot province they make each objective text identifiable.
FOCUS_OBJECTS: list[Pair] = [
    ("giống lúa chịu mặn", "salt-tolerant rice"), ("tôm thẻ chân trắng", "whiteleg shrimp"),
    ("cà phê Robusta", "Robusta coffee"), ("sầu riêng xuất khẩu", "export durian"),
    ("pin lithium sắt phốt phát", "lithium iron phosphate batteries"),
    ("điện mặt trời áp mái", "rooftop solar power"), ("lưới điện vi mô", "microgrids"),
    ("cảm biến chất lượng nước", "water-quality sensors"), ("vắc xin thú y", "veterinary vaccines"),
    ("chẩn đoán ung thư gan", "liver cancer diagnosis"), ("bệnh sốt xuất huyết", "dengue fever"),
    ("hồ sơ sức khỏe điện tử", "electronic health records"),
    ("cổng dịch vụ công", "public-service portals"), ("giao thông đô thị", "urban traffic"),
    ("cảng biển thông minh", "smart seaports"), ("kho lạnh nông sản", "cold storage for produce"),
    ("vật liệu composite", "composite materials"), ("thép hợp kim thấp", "low-alloy steel"),
    ("gốm kỹ thuật", "technical ceramics"), ("màng lọc nano", "nano-filtration membranes"),
    ("chip cảm biến ảnh", "image-sensor chips"), ("vi mạch quản lý nguồn", "power-management ICs"),
    ("đóng gói vi mạch", "chip packaging"), ("trạm gốc 5G", "5G base stations"),
    ("mạng cảm biến IoT", "IoT sensor networks"), ("robot hàn", "welding robots"),
    ("xe tự hành nội bộ", "autonomous guided vehicles"), ("máy bay không người lái nông nghiệp",
                                                          "agricultural drones"),
    ("vệ tinh quan sát", "observation satellites"), ("bản đồ số ba chiều", "3D digital maps"),
    ("nhận dạng giọng nói", "speech recognition"), ("dịch máy tiếng dân tộc",
                                                   "machine translation of ethnic languages"),
    ("phát hiện gian lận thanh toán", "payment fraud detection"),
    ("truy xuất nguồn gốc nông sản", "farm-produce traceability"),
    ("chữ ký số", "digital signatures"), ("giám sát an ninh mạng", "cyber-security monitoring"),
    ("dự báo lũ", "flood forecasting"), ("xử lý rác thải nhựa", "plastic-waste treatment"),
    ("nuôi cấy mô thực vật", "plant tissue culture"), ("men vi sinh", "probiotics"),
]

# Objective sentences; {t} is a topic, {s} a sector.
OBJECTIVES: list[Pair] = [
    ("Làm chủ công nghệ {t} phục vụ {s}.", "Master {t} technology for {s}."),
    (
        "Nghiên cứu, phát triển giải pháp {t} ứng dụng trong {s}.",
        "Research and develop {t} solutions applied in {s}.",
    ),
    (
        "Xây dựng năng lực nghiên cứu và thử nghiệm về {t} đạt trình độ khu vực.",
        "Build research and testing capacity in {t} at regional level.",
    ),
    ("Nâng cao hiệu quả {s} thông qua ứng dụng {t}.", "Improve {s} through the use of {t}."),
    (
        "Đào tạo đội ngũ cán bộ khoa học có trình độ cao về {t}.",
        "Train highly qualified scientists in {t}.",
    ),
    (
        "Hình thành sản phẩm {t} có khả năng thương mại hóa cho {s}.",
        "Produce commercialisable {t} products for {s}.",
    ),
    (
        "Thiết lập hạ tầng dùng chung phục vụ nghiên cứu {t}.",
        "Set up shared infrastructure for {t} research.",
    ),
    (
        "Chuyển giao kết quả nghiên cứu về {t} cho doanh nghiệp trong lĩnh vực {s}.",
        "Transfer {t} research results to firms in {s}.",
    ),
]

# Summary filler sentences; their number varies freely (summary length has no effect).
SUMMARY_SENTENCES: list[Pair] = [
    ("Đề xuất phù hợp với định hướng phát triển khoa học và công nghệ của đơn vị.",
     "The proposal fits the unit's science and technology development plan."),
    ("Kết quả dự kiến được công bố và chia sẻ với các đơn vị liên quan.",
     "Expected results will be published and shared with related units."),
    ("Nhóm thực hiện đã có kinh nghiệm trong các nhiệm vụ tương tự.",
     "The team has experience with similar tasks."),
    ("Đề xuất bám sát Nghị quyết 57-NQ/TW về phát triển khoa học, công nghệ.",
     "The proposal follows Resolution 57-NQ/TW on science and technology."),
    ("Tiến độ thực hiện được chia thành các giai đoạn có sản phẩm trung gian.",
     "The work is split into phases with intermediate deliverables."),
]

TITLE_PREFIX: dict[str, Pair] = {
    "new_lab": ("Đầu tư xây dựng phòng thí nghiệm", "Building a laboratory for"),
    "lab_upgrade": ("Nâng cấp phòng thí nghiệm", "Upgrading the laboratory for"),
    "equipment_purchase": ("Mua sắm thiết bị nghiên cứu", "Purchasing research equipment for"),
    "research_program": ("Nhiệm vụ nghiên cứu", "Research task on"),
    "digital_platform": ("Xây dựng nền tảng số", "Building a digital platform for"),
    "training_program": ("Chương trình đào tạo nhân lực", "Training programme in"),
}

# (metric, unit) of measurable KPIs and metrics of vague ones (no target, no deadline).
KPI_METRICS: list[Pair] = [
    ("Bài báo khoa học trên tạp chí ISI/Scopus", "bài"),
    ("Đơn đăng ký sáng chế hoặc giải pháp hữu ích được chấp nhận", "đơn"),
    ("Nghiên cứu sinh và học viên cao học được đào tạo", "người"),
    ("Nguyên mẫu sản phẩm đạt tiêu chuẩn kỹ thuật", "mẫu"),
    ("Doanh nghiệp ứng dụng kết quả", "doanh nghiệp"),
    ("Số giờ khai thác thiết bị mỗi năm", "giờ"),
    ("Quy trình công nghệ được chuyển giao", "quy trình"),
]
VAGUE_KPIS: list[str] = [
    "Nâng cao năng lực nghiên cứu của đơn vị",
    "Góp phần phát triển kinh tế - xã hội của địa phương",
    "Tiếp cận trình độ khoa học và công nghệ của khu vực",
    "Tăng cường hợp tác trong nước và quốc tế",
]

SHARED_USE_PLANS: list[str] = [
    "Mở cửa cho các viện, trường và doanh nghiệp trong vùng sử dụng theo lịch đăng ký trực tuyến.",
    "Dành tối thiểu 30 % thời gian máy cho người dùng bên ngoài theo biểu phí công khai.",
    "Ký thỏa thuận dùng chung thiết bị với các đơn vị nghiên cứu trong tỉnh.",
]
COFUNDING_SOURCES: list[str] = [
    "Doanh nghiệp đối ứng (minh họa)",
    "Quỹ đổi mới công nghệ (minh họa)",
    "Tài trợ quốc tế (minh họa)",
]

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô"]
MIDDLE_NAMES = ["Văn", "Thị", "Hữu", "Minh", "Thanh", "Quốc", "Ngọc", "Đức", "Thu"]
GIVEN_NAMES = [
    "An", "Bình", "Châu", "Dũng", "Giang", "Hà", "Hải", "Hùng", "Hương", "Khánh", "Lan",
    "Linh", "Long", "Mai", "Nam", "Phong", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn",
]
ROLES = ["Chủ nhiệm", "Thư ký khoa học", "Thành viên chính", "Thành viên", "Kỹ thuật viên"]

# Rewording of a copied text (see mechanisms.reword): phrase -> alternatives, and droppable words.
SYNONYMS: dict[str, list[str]] = {
    "Làm chủ": ["Nắm vững", "Tự chủ"],
    "Nghiên cứu, phát triển": ["Nghiên cứu và phát triển", "Phát triển"],
    "Xây dựng": ["Thiết lập", "Hình thành"],
    "năng lực": ["tiềm lực", "khả năng"],
    "ứng dụng": ["áp dụng", "triển khai"],
    "Nâng cao": ["Tăng cường", "Cải thiện"],
    "hiệu quả": ["hiệu suất", "chất lượng"],
    "giải pháp": ["phương án", "công nghệ"],
    "Đào tạo": ["Bồi dưỡng", "Phát triển"],
    "đội ngũ cán bộ khoa học": ["nguồn nhân lực khoa học", "đội ngũ nhà khoa học"],
    "sản phẩm": ["mẫu sản phẩm", "sản phẩm công nghệ"],
    "thương mại hóa": ["đưa ra thị trường", "ứng dụng thương mại"],
    "Thiết lập": ["Xây dựng", "Tạo lập"],
    "Chuyển giao": ["Chuyển giao công nghệ từ", "Đưa"],
    "doanh nghiệp": ["các doanh nghiệp", "khu vực doanh nghiệp"],
    "phục vụ": ["cho", "đáp ứng nhu cầu"],
    "thông qua": ["bằng", "nhờ"],
}
DROPPABLE: list[str] = [
    " có trình độ cao", " đạt trình độ khu vực", " có khả năng thương mại hóa", " dùng chung",
    " và thử nghiệm", " trong lĩnh vực",
]


def area_key(code: str) -> str:
    """The vocabulary key for an area code (unknown codes of a later list use the fallback)."""
    return code if code in TOPICS else FALLBACK_AREA
