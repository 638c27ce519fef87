module wxpaytest

go 1.16

require github.com/wechatpay-apiv3/wechatpay-go v0.2.20

replace github.com/wechatpay-apiv3/wechatpay-go => ./sdk
