/*
 * admin_menu.c - the administration pages listed on /quan-tri (web/auth.h,
 * struct admin_link). One row per page: add yours here. A row is shown to
 * a user who may do its action somewhere (authz_can_any()).
 */
#include "web/auth.h"

const struct admin_link admin_links[] = {
	{ "/tai-khoan", "Tài khoản của tôi",
	  "Đổi mật khẩu, xem và đóng các phiên đăng nhập.",
	  ACT_AUTHENTICATED },
	{ "/quan-tri/nhat-ky", "Nhật ký hệ thống",
	  "Ai đã làm gì, khi nào; kiểm tra tính toàn vẹn.", ACT_AUDIT_READ },
	{ "/quan-tri/don-vi", "Đơn vị và bộ phận một cửa",
	  "Tên, mã định danh, giờ làm việc, giờ chốt nhận hồ sơ; đơn vị trước "
	  "và sau sắp xếp 2025.", ACT_UNITS_EDIT },
	{ "/quan-tri/lich", "Lịch nghỉ lễ, Tết và ngày làm bù",
	  "Lịch nghỉ từng năm, nhập lịch từ tệp CSV.", ACT_CALENDAR_EDIT },
	{ "/quan-tri/nguoi-dung", "Người dùng và phân quyền",
	  "Tạo tài khoản, cấp và thu hồi quyền, khóa, đặt lại mật khẩu.",
	  ACT_USERS_MANAGE },
	{ "/quan-tri/token", "Token API",
	  "Khóa cho phần mềm tích hợp gọi API; tạo và thu hồi.",
	  ACT_TOKENS_MANAGE },
	{ "/quan-tri/thu-tuc", "Danh mục thủ tục và phiên bản",
	  "Thời hạn cam kết, thành phần hồ sơ được cắt giảm, phí; công bố "
	  "phiên bản mới.", ACT_CATALOG_EDIT },
	{ "/quan-tri/bao-cao/cai-cach", "Báo cáo cắt giảm, đơn giản hóa thủ tục",
	  "Thủ tục được rút ngắn thời hạn, bỏ hoặc thay thành phần hồ sơ; "
	  "xuất CSV.", ACT_REPORTS_VIEW },
	{ "/mot-cua/tiep-nhan", "Tiếp nhận hồ sơ",
	  "Nhận hồ sơ tại quầy hoặc qua bưu chính, in giấy tiếp nhận và hẹn "
	  "trả kết quả.", ACT_DOSSIER_RECEIVE },
	{ "/mot-cua", "Một cửa: hàng đợi và hồ sơ",
	  "Hồ sơ cần xử lý theo thời hạn, chuyển bước, bổ sung, trả kết quả; "
	  "sổ theo dõi hồ sơ.", ACT_DOSSIER_VIEW },
	{ "/quan-tri/thong-bao", "Thông báo cho người dân và webhook",
	  "Thư điện tử và webhook về hồ sơ: hàng đợi, gửi lỗi, gửi lại; "
	  "thêm, xóa webhook.", ACT_UNITS_EDIT },
	{ "/xu-ly-phan-anh", "Phản ánh, kiến nghị",
	  "Phản ánh của người dân theo thời hạn: từ chối, yêu cầu bổ sung, "
	  "trả lời, công khai.", ACT_FEEDBACK_HANDLE },
	{ "/mot-cua/danh-gia", "Màn hình đánh giá tại quầy",
	  "Máy tính bảng tại quầy: quét mã QR trên giấy tiếp nhận để người "
	  "dân đánh giá sự hài lòng.", ACT_DOSSIER_RECEIVE },
	{ "/thanh-tra/danh-gia", "Đánh giá sự hài lòng",
	  "Mọi đánh giá của người dân với hồ sơ và cán bộ giải quyết; lọc "
	  "không hài lòng.", ACT_INSPECTION },
	{ "/mot-cua/truc-tuyen", "Hồ sơ nộp trực tuyến",
	  "Hồ sơ công dân nộp trực tuyến chờ tiếp nhận: tiếp nhận, yêu cầu bổ "
	  "sung, từ chối.", ACT_DOSSIER_RECEIVE },
	{ NULL, NULL, NULL, ACT_PUBLIC },
};
