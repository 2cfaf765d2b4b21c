/*
 * idcheck.c - structure checks of the personal ID number and the tax code.
 * Pure. Layouts and their sources: idcheck.h (research §9.1).
 */
#include "core/idcheck.h"

#include <string.h>

#include "util/err.h"

/*
 * Province codes of the 63 provinces before 2025 (GSO list, the codes of
 * data/vn-units-pre2025.csv): the 3-digit ID prefix is 0 + this code
 * (TT 59/2021/TT-BCA; research §9.1).
 */
static const char *const provinces[97] = {
	[1] = "Hà Nội",
	[2] = "Hà Giang",
	[4] = "Cao Bằng",
	[6] = "Bắc Kạn",
	[8] = "Tuyên Quang",
	[10] = "Lào Cai",
	[11] = "Điện Biên",
	[12] = "Lai Châu",
	[14] = "Sơn La",
	[15] = "Yên Bái",
	[17] = "Hoà Bình",
	[19] = "Thái Nguyên",
	[20] = "Lạng Sơn",
	[22] = "Quảng Ninh",
	[24] = "Bắc Giang",
	[25] = "Phú Thọ",
	[26] = "Vĩnh Phúc",
	[27] = "Bắc Ninh",
	[30] = "Hải Dương",
	[31] = "Hải Phòng",
	[33] = "Hưng Yên",
	[34] = "Thái Bình",
	[35] = "Hà Nam",
	[36] = "Nam Định",
	[37] = "Ninh Bình",
	[38] = "Thanh Hóa",
	[40] = "Nghệ An",
	[42] = "Hà Tĩnh",
	[44] = "Quảng Bình",
	[45] = "Quảng Trị",
	[46] = "Huế",
	[48] = "Đà Nẵng",
	[49] = "Quảng Nam",
	[51] = "Quảng Ngãi",
	[52] = "Bình Định",
	[54] = "Phú Yên",
	[56] = "Khánh Hòa",
	[58] = "Ninh Thuận",
	[60] = "Bình Thuận",
	[62] = "Kon Tum",
	[64] = "Gia Lai",
	[66] = "Đắk Lắk",
	[67] = "Đắk Nông",
	[68] = "Lâm Đồng",
	[70] = "Bình Phước",
	[72] = "Tây Ninh",
	[74] = "Bình Dương",
	[75] = "Đồng Nai",
	[77] = "Bà Rịa - Vũng Tàu",
	[79] = "Hồ Chí Minh",
	[80] = "Long An",
	[82] = "Tiền Giang",
	[83] = "Bến Tre",
	[84] = "Trà Vinh",
	[86] = "Vĩnh Long",
	[87] = "Đồng Tháp",
	[89] = "An Giang",
	[91] = "Kiên Giang",
	[92] = "Cần Thơ",
	[93] = "Hậu Giang",
	[94] = "Sóc Trăng",
	[95] = "Bạc Liêu",
	[96] = "Cà Mau",
};

const char *idcheck_province_name(int code)
{
	if (code < 1 || code > 96)
		return NULL;
	return provinces[code];
}

static bool digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

int idcheck_person_id(const char *id, int birth_year, char sex,
		      struct idcheck_person *out, struct buf *err)
{
	struct idcheck_person p;
	int prov, cs;
	if (!id || strlen(id) != 12 || !digits(id, 12)) {
		buf_setf(err, "Số định danh cá nhân: phải gồm đúng 12 chữ số");
		return MC_EINVALID;
	}
	prov = (id[0] - '0') * 100 + (id[1] - '0') * 10 + (id[2] - '0');
	if (!idcheck_province_name(prov)) {
		buf_setf(err, "Số định danh cá nhân: mã tỉnh %.3s không tồn "
			      "tại", id);
		return MC_EINVALID;
	}
	cs = id[3] - '0';
	p.province = prov;
	p.century = 1900 + (cs / 2) * 100;
	p.female = cs % 2 == 1;
	p.birth_year = p.century + (id[4] - '0') * 10 + (id[5] - '0');
	if (birth_year && birth_year != p.birth_year) {
		buf_setf(err, "Số định danh cá nhân: mã thế kỷ và năm sinh "
			      "(%d) không khớp năm sinh đã khai (%d)",
			 p.birth_year, birth_year);
		return MC_EINVALID;
	}
	if ((sex == 'M' && p.female) || (sex == 'F' && !p.female)) {
		buf_setf(err, "Số định danh cá nhân: mã giới tính (chữ số thứ "
			      "4) không khớp giới tính đã khai");
		return MC_EINVALID;
	}
	if (out)
		*out = p;
	return 0;
}

int idcheck_tax_check_digit(const char digits9[9])
{
	static const int w[9] = { 31, 29, 23, 19, 17, 13, 7, 5, 3 };
	int sum = 0, c;
	for (int i = 0; i < 9; i++)
		sum += (digits9[i] - '0') * w[i];
	c = 10 - sum % 11;
	if (c == 10)
		return -1;
	return c == 11 ? 0 : c;
}

int idcheck_tax_code(const char *code, bool check_digit, struct buf *err)
{
	size_t n = code ? strlen(code) : 0;
	bool ok = (n == 10 && digits(code, 10)) ||
		  (n == 13 && digits(code, 13)) ||
		  (n == 14 && digits(code, 10) && code[10] == '-' &&
		   digits(code + 11, 3));
	if (!ok) {
		buf_setf(err, "Mã số thuế: phải gồm 10 chữ số, hoặc 13 chữ số "
			      "(10 số - 3 số của đơn vị phụ thuộc)");
		return MC_EINVALID;
	}
	if (check_digit && idcheck_tax_check_digit(code) != code[9] - '0') {
		buf_setf(err, "Mã số thuế: chữ số kiểm tra (thứ 10) không "
			      "đúng");
		return MC_EINVALID;
	}
	return 0;
}
