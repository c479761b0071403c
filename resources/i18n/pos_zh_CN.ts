<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>BarChart</name>
    <message>
        <location filename="../../pos_app/ui/chart.py" line="42"/>
        <source>No data</source>
        <translation>暂无数据</translation>
    </message>
</context>
<context>
    <name>CameraPanel</name>
    <message>
        <location filename="../../pos_app/ui/camera_panel.py" line="53"/>
        <location filename="../../pos_app/ui/camera_panel.py" line="69"/>
        <source>Opening the camera…</source>
        <translation>正在打开摄像头…</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/camera_panel.py" line="69"/>
        <source>Camera on</source>
        <translation>摄像头已开启</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/camera_panel.py" line="70"/>
        <source>No camera: check the cable. Retrying…</source>
        <translation>没有摄像头：请检查连线。正在重试…</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/camera_panel.py" line="70"/>
        <source>Video ended</source>
        <translation>视频已结束</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/camera_panel.py" line="71"/>
        <source>Camera off</source>
        <translation>摄像头已关闭</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/camera_panel.py" line="74"/>
        <source>No camera</source>
        <translation>没有摄像头</translation>
    </message>
</context>
<context>
    <name>CartModel</name>
    <message>
        <location filename="../../pos_app/ui/checkout/cart.py" line="37"/>
        <source>Item</source>
        <translation>商品</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/checkout/cart.py" line="37"/>
        <source>Qty</source>
        <translation>数量</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/checkout/cart.py" line="38"/>
        <source>Price</source>
        <translation>单价</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/checkout/cart.py" line="38"/>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/checkout/cart.py" line="39"/>
        <source>Points</source>
        <translation>积分</translation>
    </message>
</context>
<context>
    <name>CheckoutView</name>
    <message>
        <location filename="../../pos_app/ui/checkout/view.py" line="78"/>
        <source>Camera (F9)</source>
        <translation>摄像头 (F9)</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/checkout/view.py" line="109"/>
        <source>Pay with points: </source>
        <translation>积分抵现：</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/checkout/view.py" line="116"/>
        <source>Member PIN (to pay with points)</source>
        <translation>会员密码（积分抵现时输入）</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/checkout/view.py" line="121"/>
        <location filename="../../pos_app/ui/checkout/view.py" line="205"/>
        <source>No shopping guide</source>
        <translation>无导购</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/checkout/view.py" line="129"/>
        <source>Cash</source>
        <translation>现金</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/checkout/view.py" line="129"/>
        <source>Card</source>
        <translation>银行卡</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/checkout/view.py" line="129"/>
        <source>Other</source>
        <translation>其他</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/checkout/view.py" line="136"/>
        <source>Cash received (blank = exact)</source>
        <translation>实收现金（留空 = 刚好）</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/checkout/view.py" line="139"/>
        <source>Finish (F12)</source>
        <translation>结账 (F12)</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/checkout/view.py" line="142"/>
        <source>Cancel sale (Esc)</source>
        <translation>取消交易 (Esc)</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/checkout/view.py" line="144"/>
        <source>Reprint (F10)</source>
        <translation>重打小票 (F10)</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/checkout/view.py" line="104"/>
        <source>Coupons</source>
        <translation>优惠券</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/checkout/view.py" line="72"/>
        <source>Scan, or type a phone or product code</source>
        <translation>扫码，或输入手机号、商品码</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/checkout/view.py" line="115"/>
        <source>Member PIN</source>
        <translation>会员密码</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/checkout/view.py" line="207"/>
        <location filename="../../pos_app/ui/checkout/view.py" line="343"/>
        <source>Guide: %1</source>
        <translation>导购：%1</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/checkout/view.py" line="257"/>
        <source>A quantity is a whole number from 1 to 999 (typed: %1).</source>
        <translation>数量须为 1 到 999 的整数（输入的是：%1）。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/checkout/view.py" line="289"/>
        <source>Not known at this store: asking HQ…</source>
        <translation>本店没有此会员：正在向总部查询…</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/checkout/view.py" line="321"/>
        <source>This is a gift&apos;s pickup code: write it off on the Gifts screen.</source>
        <translation>这是礼品的提货码：请在礼品页面核销。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/checkout/view.py" line="329"/>
        <source>Member: %1</source>
        <translation>会员：%1</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/checkout/view.py" line="347"/>
        <source>Shopping guide: %1</source>
        <translation>导购：%1</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/checkout/view.py" line="355"/>
        <source>Scan the member first, then the label.</source>
        <translation>请先扫会员码，再扫商品标签。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/checkout/view.py" line="364"/>
        <source>Label %1: +%2 points, balance %3</source>
        <translation>标签 %1：+%2 积分，余额 %3</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/checkout/view.py" line="403"/>
        <source>Coupon: %1</source>
        <translation>优惠券：%1</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/checkout/view.py" line="477"/>
        <location filename="../../pos_app/ui/checkout/view.py" line="482"/>
        <source>Subtotal: %1</source>
        <translation>小计：%1</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/checkout/view.py" line="485"/>
        <source>Coupons −%1</source>
        <translation>优惠券 −%1</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/checkout/view.py" line="487"/>
        <source>Points −%1 (%2 pts)</source>
        <translation>积分抵现 −%1（%2 积分）</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/checkout/view.py" line="491"/>
        <source>This sale earns %1 points</source>
        <translation>本单可得 %1 积分</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/checkout/view.py" line="492"/>
        <source>No member: no points earned</source>
        <translation>非会员：不积分</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/checkout/finishing.py" line="34"/>
        <source>Type the cash received as an amount, e.g. 100 or 88.50</source>
        <translation>请输入实收金额，例如 100 或 88.50</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/checkout/finishing.py" line="83"/>
        <source>Sale %1 done.</source>
        <translation>交易 %1 完成。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/checkout/view.py" line="522"/>
        <source>The quantity is 1 already: press Delete to void the line.</source>
        <translation>数量已是 1：要删除这一行请按 Delete。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/checkout/finishing.py" line="114"/>
        <source>Receipt saved to %1</source>
        <translation>小票已保存到 %1</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/checkout/view.py" line="185"/>
        <source>Enter or F12 on an empty scan box: finish · + / −: quantity · 3*code or *3: quantity 3 · Delete: void line · Esc: cancel sale</source>
        <translation>扫码框为空时按 Enter 或 F12：结账 · + / −：数量 · 3*编码 或 *3：数量 3 · Delete：删除行 · Esc：取消交易</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/checkout/finishing.py" line="118"/>
        <source>Receipt printed on %1</source>
        <translation>小票已打印：%1</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/checkout/view.py" line="496"/>
        <source>Cancel sale</source>
        <translation>取消交易</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/checkout/view.py" line="496"/>
        <source>Clear this sale?</source>
        <translation>清空本单？</translation>
    </message>
</context>
<context>
    <name>EnrolForm</name>
    <message>
        <location filename="../../pos_app/ui/enrol_form.py" line="30"/>
        <source>one-time token from HQ</source>
        <translation>总部提供的一次性令牌</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/enrol_form.py" line="32"/>
        <source>Enrol with HQ</source>
        <translation>接入总部</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/enrol_form.py" line="36"/>
        <source>HQ address</source>
        <translation>总部地址</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/enrol_form.py" line="37"/>
        <source>Token</source>
        <translation>令牌</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/enrol_form.py" line="49"/>
        <source>Type HQ&apos;s address (http:// or https://) and the one-time token.</source>
        <translation>请输入总部地址（http:// 或 https://）和一次性令牌。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/enrol_form.py" line="52"/>
        <source>Enrolling…</source>
        <translation>正在接入…</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/enrol_form.py" line="59"/>
        <source>Enrolled as store {store}. Syncing now.</source>
        <translation>已接入，门店 {store}。正在同步。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/enrol_form.py" line="68"/>
        <source>Enrolment failed: {reason}</source>
        <translation>接入失败：{reason}</translation>
    </message>
</context>
<context>
    <name>GiftsView</name>
    <message>
        <location filename="../../pos_app/ui/gifts.py" line="74"/>
        <source>Member phone or card</source>
        <translation>会员手机号或卡号</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/gifts.py" line="76"/>
        <location filename="../../pos_app/ui/gifts.py" line="222"/>
        <source>No member</source>
        <translation>未识别会员</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/gifts.py" line="81"/>
        <location filename="../../pos_app/ui/gifts.py" line="231"/>
        <location filename="../../pos_app/ui/gifts.py" line="295"/>
        <source>typed by the member</source>
        <translation>由会员输入</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/gifts.py" line="84"/>
        <source>manager approves</source>
        <translation>店长审批</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/gifts.py" line="86"/>
        <source>Hand over now (else print a pickup slip)</source>
        <translation>当场交付（否则打印取货单）</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/gifts.py" line="88"/>
        <source>Redeem</source>
        <translation>兑换</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/gifts.py" line="91"/>
        <source>Member</source>
        <translation>会员</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/gifts.py" line="93"/>
        <source>Quantity</source>
        <translation>数量</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/gifts.py" line="94"/>
        <source>Member PIN</source>
        <translation>会员密码</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/gifts.py" line="95"/>
        <source>Manager PIN</source>
        <translation>店长密码</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/gifts.py" line="99"/>
        <source>Scan a pickup code to write it off</source>
        <translation>扫描取货码核销</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/gifts.py" line="110"/>
        <source>Void held gift (manager PIN)</source>
        <translation>作废待取礼品（店长密码）</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/gifts.py" line="112"/>
        <source>Held for pickup</source>
        <translation>待取礼品</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/gifts.py" line="116"/>
        <source>Redeem a gift</source>
        <translation>兑换礼品</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/gifts.py" line="120"/>
        <source>Write off a pickup</source>
        <translation>取货核销</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/gifts.py" line="160"/>
        <source>%1 pts</source>
        <translation>%1 积分</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/gifts.py" line="163"/>
        <source>stock %1</source>
        <translation>库存 %1</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/gifts.py" line="165"/>
        <source>limit %1</source>
        <translation>限兑 %1</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/gifts.py" line="213"/>
        <source>not needed: the member&apos;s phone code was scanned</source>
        <translation>无需输入：已扫描会员手机动态码</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/gifts.py" line="217"/>
        <source>That code is not a member&apos;s: scan the member card or phone code.</source>
        <translation>这不是会员码：请扫描会员卡或手机动态码。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/gifts.py" line="235"/>
        <source>%1 · spendable %2 points</source>
        <translation>%1 · 可用 %2 积分</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/gifts.py" line="243"/>
        <source>%1 × %2 · %3</source>
        <translation>%1 × %2 · %3</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/gifts.py" line="265"/>
        <source>Held gift voided: %1 × %2, %3 points back</source>
        <translation>待取礼品已作废：%1 × %2，退回 %3 积分</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/gifts.py" line="278"/>
        <source>Choose the member and a gift first.</source>
        <translation>请先选择会员和礼品。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/gifts.py" line="300"/>
        <source>%1 × %2 held for pickup: its pickup slip with the QR code is printed.</source>
        <translation>%1 × %2 已留待取货：带二维码的取货单已打印。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/gifts.py" line="308"/>
        <source>%1 × %2 redeemed for %3 points: hand it over.</source>
        <translation>%1 × %2 已兑换，扣 %3 积分：请交付礼品。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/gifts.py" line="337"/>
        <source>Pickup written off: %1 × %2</source>
        <translation>已核销取货：%1 × %2</translation>
    </message>
</context>
<context>
    <name>GuidePointsView</name>
    <message>
        <location filename="../../pos_app/ui/guides.py" line="29"/>
        <source>Waiting for HQ</source>
        <translation>等待总部审核</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/guides.py" line="30"/>
        <source>Approved: paid out</source>
        <translation>已批准：已付款</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/guides.py" line="31"/>
        <source>Refused: points back</source>
        <translation>已拒绝：积分已退回</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/guides.py" line="34"/>
        <source>Sale served</source>
        <translation>导购销售</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/guides.py" line="35"/>
        <source>Recruits&apos; sales (HQ)</source>
        <translation>下线销售奖励（总部）</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/guides.py" line="36"/>
        <source>Refund: taken back</source>
        <translation>退款扣回</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/guides.py" line="37"/>
        <source>Recruit&apos;s refund (HQ)</source>
        <translation>下线退款扣回（总部）</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/guides.py" line="97"/>
        <source>My guide points</source>
        <translation>我的导购积分</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/guides.py" line="102"/>
        <source>Refresh (Ctrl+R)</source>
        <translation>刷新 (Ctrl+R)</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/guides.py" line="106"/>
        <source>Balance</source>
        <translation>余额</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/guides.py" line="106"/>
        <source>Held for withdrawals</source>
        <translation>提现冻结中</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/guides.py" line="113"/>
        <source>When</source>
        <translation>时间</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/guides.py" line="113"/>
        <source>What</source>
        <translation>来源</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/guides.py" line="113"/>
        <source>Receipt</source>
        <translation>小票号</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/guides.py" line="113"/>
        <location filename="../../pos_app/ui/guides.py" line="114"/>
        <source>Points</source>
        <translation>积分</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/guides.py" line="114"/>
        <source>Requested</source>
        <translation>申请时间</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/guides.py" line="114"/>
        <source>Withdrawal</source>
        <translation>提现单号</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/guides.py" line="114"/>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/guides.py" line="116"/>
        <source>No withdrawals yet.</source>
        <translation>暂无提现记录。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/guides.py" line="120"/>
        <source>Recent earnings (Ctrl+1)</source>
        <translation>最近收益 (Ctrl+1)</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/guides.py" line="121"/>
        <source>Withdrawals (Ctrl+2)</source>
        <translation>提现记录 (Ctrl+2)</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/guides.py" line="132"/>
        <source>To withdraw points as cash, ask in the points mall on your phone (Me → My team and earnings → Withdraw as cash); HQ&apos;s finance approves it. This till shows each request&apos;s state after it syncs with HQ.</source>
        <translation>积分提现请在手机积分商城申请（我的 → 我的团队与收益 → 提现），由总部财务审核。本收银机与总部同步后显示每笔申请的状态。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/guides.py" line="146"/>
        <source>My guide points: %1</source>
        <translation>我的导购积分：%1</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/guides.py" line="157"/>
        <source>Reading…</source>
        <translation>读取中…</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/guides.py" line="174"/>
        <source>level %1</source>
        <translation>第 %1 级</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/guides.py" line="179"/>
        <source>Refund of receipt %1</source>
        <translation>退款对应小票 %1</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/guides.py" line="192"/>
        <source>As of this till&apos;s last sync with HQ.</source>
        <translation>截至本收银机最近一次与总部同步。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/guides.py" line="193"/>
        <source>No guide points yet: name yourself as the sale&apos;s guide at checkout.</source>
        <translation>暂无导购积分：结账时选择自己为本单导购即可获得。</translation>
    </message>
</context>
<context>
    <name>Kind</name>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="178"/>
        <source>Purchase</source>
        <translation>消费积分</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="179"/>
        <source>Label scan</source>
        <translation>扫码积分</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="180"/>
        <source>Referral bonus</source>
        <translation>推荐奖励</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="181"/>
        <source>Guide points</source>
        <translation>导购积分</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="182"/>
        <source>Tier change</source>
        <translation>等级变更</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="183"/>
        <source>Redemption (held)</source>
        <translation>兑换（待取）</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="184"/>
        <source>Redemption</source>
        <translation>兑换</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="185"/>
        <source>Redemption cancelled</source>
        <translation>兑换取消</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="186"/>
        <source>Lottery</source>
        <translation>抽奖</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="187"/>
        <source>Donation</source>
        <translation>捐赠</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="188"/>
        <source>Refund</source>
        <translation>退货冲回</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="189"/>
        <source>Adjustment</source>
        <translation>积分调整</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="190"/>
        <source>Expired</source>
        <translation>过期</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="191"/>
        <source>Registered</source>
        <translation>注册</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="192"/>
        <source>Profile edited</source>
        <translation>资料修改</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="193"/>
        <source>Members merged</source>
        <translation>会员合并</translation>
    </message>
</context>
<context>
    <name>LabelsView</name>
    <message>
        <location filename="../../pos_app/ui/labels.py" line="34"/>
        <source>Open batch file…</source>
        <translation>打开批次文件…</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/labels.py" line="36"/>
        <source>Choose a label batch from HQ</source>
        <translation>请选择总部下发的标签批次</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/labels.py" line="37"/>
        <source>Print label sheet (PDF)</source>
        <translation>打印标签页 (PDF)</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/labels.py" line="42"/>
        <source>Label batches</source>
        <translation>标签批次</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/labels.py" line="66"/>
        <source>Label batch</source>
        <translation>标签批次</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/labels.py" line="77"/>
        <source>%1 · %2
Batch %3, %4 labels, %5 points in all
Prizes %6
Key %7</source>
        <translation>%1 · %2
批次 %3，共 %4 张标签，合计 %5 积分
奖项 %6
密钥 %7</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/labels.py" line="90"/>
        <source>Label sheet saved to %1</source>
        <translation>标签页已保存到 %1</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../pos_app/ui/main_window.py" line="48"/>
        <source>Points Mall POS</source>
        <translation>积分商城收银</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/main_window.py" line="58"/>
        <source>Checkout</source>
        <translation>收银</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/main_window.py" line="79"/>
        <source>Sign out</source>
        <translation>退出登录</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/app.py" line="95"/>
        <source>Members</source>
        <translation>会员</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/app.py" line="96"/>
        <source>Gifts</source>
        <translation>礼品</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/app.py" line="97"/>
        <source>Refunds</source>
        <translation>退货退款</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/app.py" line="98"/>
        <source>Points desk</source>
        <translation>积分服务</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/app.py" line="99"/>
        <source>Labels</source>
        <translation>标签</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/app.py" line="100"/>
        <source>Reports</source>
        <translation>报表</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/app.py" line="101"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/app.py" line="102"/>
        <source>Guide points</source>
        <translation>我的导购积分</translation>
    </message>
</context>
<context>
    <name>MemberPanel</name>
    <message>
        <location filename="../../pos_app/ui/checkout/member_panel.py" line="22"/>
        <source>Remove member</source>
        <translation>移除会员</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/checkout/member_panel.py" line="44"/>
        <source>No member</source>
        <translation>未识别会员</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/checkout/member_panel.py" line="45"/>
        <source>Scan the member&apos;s code or type a phone number</source>
        <translation>扫描会员码或输入手机号</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/checkout/member_panel.py" line="52"/>
        <source>Tier: %1 · Card %2 · %3</source>
        <translation>等级：%1 · 卡号 %2 · %3</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/checkout/member_panel.py" line="55"/>
        <source>%1 points</source>
        <translation>%1 积分</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/checkout/member_panel.py" line="56"/>
        <source>Spendable now: %1</source>
        <translation>当前可用：%1</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/checkout/member_panel.py" line="58"/>
        <source>Locked (not yet spendable): %1</source>
        <translation>锁定中（暂不可用）：%1</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/checkout/member_panel.py" line="61"/>
        <source>Expiring soon: %1 on %2</source>
        <translation>即将过期：%1（%2）</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/checkout/member_panel.py" line="63"/>
        <source>Owes %1 points (repaid from the next earnings)</source>
        <translation>欠 %1 积分（从后续积分中优先扣还）</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/checkout/member_panel.py" line="65"/>
        <source>Risk: %1</source>
        <translation>风险：%1</translation>
    </message>
</context>
<context>
    <name>MembersView</name>
    <message>
        <location filename="../../pos_app/ui/members.py" line="54"/>
        <source>Phone, name or card number</source>
        <translation>手机号、姓名或卡号</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/members.py" line="59"/>
        <source>New member (Ctrl+N)</source>
        <translation>新会员 (Ctrl+N)</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/members.py" line="71"/>
        <source>When</source>
        <translation>时间</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/members.py" line="71"/>
        <source>What</source>
        <translation>事项</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/members.py" line="71"/>
        <source>Points</source>
        <translation>积分</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/members.py" line="76"/>
        <source>Print member card QR</source>
        <translation>打印会员卡二维码</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/members.py" line="78"/>
        <source>Edit member</source>
        <translation>编辑会员</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/members.py" line="92"/>
        <source>optional, e.g. R1A2B3C4D</source>
        <translation>选填，例如 R1A2B3C4D</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/members.py" line="94"/>
        <source>4-8 digits, typed by the member</source>
        <translation>4-8 位数字，由会员输入</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/members.py" line="96"/>
        <location filename="../../pos_app/ui/members.py" line="120"/>
        <source>Mobile phone</source>
        <translation>手机号</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/members.py" line="97"/>
        <location filename="../../pos_app/ui/members.py" line="119"/>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/members.py" line="98"/>
        <source>Referrer code</source>
        <translation>推荐码</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/members.py" line="99"/>
        <source>Member PIN</source>
        <translation>会员密码</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/members.py" line="100"/>
        <source>Register (Enter)</source>
        <translation>注册 (Enter)</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/members.py" line="106"/>
        <source>Register a member</source>
        <translation>注册会员</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/members.py" line="115"/>
        <source>leave blank to keep the PIN</source>
        <translation>留空则不改密码</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/members.py" line="117"/>
        <source>current PIN, or scan the member&apos;s phone code</source>
        <translation>当前密码，或扫描会员手机码</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/members.py" line="121"/>
        <source>New PIN</source>
        <translation>新密码</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/members.py" line="122"/>
        <source>Member&apos;s proof</source>
        <translation>会员验证</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/members.py" line="123"/>
        <source>Save changes</source>
        <translation>保存修改</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/members.py" line="125"/>
        <source>Back</source>
        <translation>返回</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/members.py" line="129"/>
        <source>Edit a member</source>
        <translation>编辑会员资料</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/members.py" line="177"/>
        <source>%1 found</source>
        <translation>找到 %1 位</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/members.py" line="193"/>
        <source>Card %1 · Tier %2 · Referral code %3</source>
        <translation>卡号 %1 · 等级 %2 · 推荐码 %3</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/members.py" line="196"/>
        <source>Balance %1 · spendable %2 · locked %3</source>
        <translation>余额 %1 · 可用 %2 · 锁定 %3</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/members.py" line="199"/>
        <source>Referral points: %1</source>
        <translation>推荐积分：%1</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/members.py" line="201"/>
        <source>Owes %1 points</source>
        <translation>欠 %1 积分</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/members.py" line="203"/>
        <source>%1 points expire on %2</source>
        <translation>%1 积分将于 %2 过期</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/members.py" line="227"/>
        <source>Registered %1, card %2</source>
        <translation>已注册 %1，卡号 %2</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/members.py" line="266"/>
        <source>Saved %1</source>
        <translation>已保存 %1</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/members.py" line="287"/>
        <source>Member card saved to %1</source>
        <translation>会员卡已保存到 %1</translation>
    </message>
</context>
<context>
    <name>PickupSlip</name>
    <message>
        <location filename="../../pos_app/ui/pickup_slip.py" line="16"/>
        <source>Gift pickup slip</source>
        <translation>礼品取货单</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/pickup_slip.py" line="16"/>
        <source>Gift</source>
        <translation>礼品</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/pickup_slip.py" line="17"/>
        <source>Quantity</source>
        <translation>数量</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/pickup_slip.py" line="17"/>
        <source>Points</source>
        <translation>积分</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/pickup_slip.py" line="18"/>
        <source>Show this code at the counter to collect the gift.</source>
        <translation>到店出示此码即可领取礼品。</translation>
    </message>
</context>
<context>
    <name>PointsView</name>
    <message>
        <location filename="../../pos_app/ui/points.py" line="32"/>
        <source>Member phone or card</source>
        <translation>会员手机号或卡号</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/points.py" line="34"/>
        <location filename="../../pos_app/ui/points.py" line="137"/>
        <source>No member</source>
        <translation>未识别会员</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/points.py" line="37"/>
        <location filename="../../pos_app/ui/points.py" line="145"/>
        <location filename="../../pos_app/ui/points.py" line="169"/>
        <source>typed by the member (coupons, lottery, donation)</source>
        <translation>由会员输入（优惠券、抽奖、捐赠）</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/points.py" line="40"/>
        <source>Buy coupon</source>
        <translation>兑换优惠券</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/points.py" line="43"/>
        <source>Draw</source>
        <translation>抽奖</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/points.py" line="48"/>
        <source>Donate</source>
        <translation>捐赠</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/points.py" line="53"/>
        <source>reason (required)</source>
        <translation>原因（必填）</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/points.py" line="56"/>
        <source>Adjust</source>
        <translation>调整</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/points.py" line="60"/>
        <source>Coupon</source>
        <translation>优惠券</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/points.py" line="61"/>
        <source>Lottery</source>
        <translation>抽奖</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/points.py" line="62"/>
        <source>Donate to charity</source>
        <translation>积分捐赠</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/points.py" line="64"/>
        <source>Points (+/−)</source>
        <translation>积分（+/−）</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/points.py" line="65"/>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/points.py" line="66"/>
        <source>Manager PIN</source>
        <translation>店长密码</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/points.py" line="67"/>
        <source>Adjust (manager)</source>
        <translation>积分调整（店长）</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/points.py" line="95"/>
        <source>%1 (%2 pts)</source>
        <translation>%1（%2 积分）</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/points.py" line="101"/>
        <source>%1 (%2 pts a draw)</source>
        <translation>%1（每次 %2 积分）</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/points.py" line="127"/>
        <source>That code is not a member&apos;s: scan the member card or phone code.</source>
        <translation>这不是会员码：请扫描会员卡或手机会员码。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/points.py" line="132"/>
        <source>not needed: the member&apos;s phone code was scanned</source>
        <translation>无需输入：已扫描会员手机码</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/points.py" line="151"/>
        <source>%1 · %2 points (spendable %3)</source>
        <translation>%1 · %2 积分（可用 %3）</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/points.py" line="158"/>
        <source>Scan the member first.</source>
        <translation>请先扫描会员。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/points.py" line="182"/>
        <source>Coupon %1 issued, valid until %2</source>
        <translation>优惠券 %1 已发放，有效期至 %2</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/points.py" line="193"/>
        <source>Prize: %1</source>
        <translation>奖品：%1</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/points.py" line="195"/>
        <source>(+%1 points)</source>
        <translation>（+%1 积分）</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/points.py" line="197"/>
        <source>%1 draws left today</source>
        <translation>今日还可抽 %1 次</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/points.py" line="202"/>
        <source>Thank you: points donated to charity</source>
        <translation>感谢您：积分已捐赠公益</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/points.py" line="211"/>
        <source>Adjustment recorded</source>
        <translation>调整已记录</translation>
    </message>
</context>
<context>
    <name>Receipt</name>
    <message>
        <location filename="../../pos_app/ui/receipt.py" line="19"/>
        <source>Receipt</source>
        <translation>小票</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/receipt.py" line="19"/>
        <source>Subtotal</source>
        <translation>小计</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/receipt.py" line="20"/>
        <source>Coupon</source>
        <translation>优惠券</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/receipt.py" line="20"/>
        <source>Points</source>
        <translation>积分</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/receipt.py" line="21"/>
        <source>Due</source>
        <translation>应收</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/receipt.py" line="21"/>
        <source>Cash</source>
        <translation>现金</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/receipt.py" line="22"/>
        <source>Card</source>
        <translation>银行卡</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/receipt.py" line="22"/>
        <source>Other</source>
        <translation>其他</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/receipt.py" line="23"/>
        <source>Change</source>
        <translation>找零</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/receipt.py" line="23"/>
        <source>Member</source>
        <translation>会员</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/receipt.py" line="24"/>
        <source>Points earned</source>
        <translation>本次积分</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/receipt.py" line="24"/>
        <source>Balance</source>
        <translation>余额</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/receipt.py" line="25"/>
        <source>Thank you!</source>
        <translation>谢谢惠顾！</translation>
    </message>
</context>
<context>
    <name>RefundsView</name>
    <message>
        <location filename="../../pos_app/ui/refunds.py" line="44"/>
        <source>Scan the receipt&apos;s QR code, or pick a sale of today</source>
        <translation>扫描小票二维码，或从今日销售中选择</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/refunds.py" line="48"/>
        <source>Item</source>
        <translation>商品</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/refunds.py" line="48"/>
        <source>Sold</source>
        <translation>已售</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/refunds.py" line="48"/>
        <source>Refunded</source>
        <translation>已退</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/refunds.py" line="49"/>
        <source>Paid</source>
        <translation>实付</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/refunds.py" line="49"/>
        <source>Refund qty</source>
        <translation>退货数量</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/refunds.py" line="55"/>
        <source>e.g. damaged, wrong size</source>
        <translation>例如：破损、尺码不对</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/refunds.py" line="60"/>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/refunds.py" line="61"/>
        <source>Manager PIN</source>
        <translation>店长密码</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/refunds.py" line="62"/>
        <source>Refund everything</source>
        <translation>全部退货</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/refunds.py" line="64"/>
        <source>Refund</source>
        <translation>退款</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/refunds.py" line="81"/>
        <source>Today&apos;s sales</source>
        <translation>今日销售</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/refunds.py" line="87"/>
        <source>Refunds and returns</source>
        <translation>退货退款</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/refunds.py" line="100"/>
        <source>%1 · %2</source>
        <translation>%1 · %2</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/refunds.py" line="103"/>
        <source>refunded %1</source>
        <translation>已退 %1</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/refunds.py" line="127"/>
        <source>Receipt %1 · %2 · due %3</source>
        <translation>小票 %1 · %2 · 应收 %3</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/refunds.py" line="159"/>
        <source>Choose what to refund.</source>
        <translation>请选择要退的商品。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/refunds.py" line="170"/>
        <source>Refunded %1; %2 points reversed</source>
        <translation>已退款 %1；冲回 %2 积分</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/refunds.py" line="173"/>
        <source>; %1 points given back</source>
        <translation>；退还 %1 积分</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/refunds.py" line="175"/>
        <source>; member now owes %1 points</source>
        <translation>；会员现欠 %1 积分</translation>
    </message>
</context>
<context>
    <name>Refusal</name>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="24"/>
        <source>Wrong PIN.</source>
        <translation>密码错误。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="25"/>
        <source>Too many wrong PINs: locked for five minutes.</source>
        <translation>密码错误次数过多：锁定五分钟。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="26"/>
        <source>A PIN is 4 to 8 digits.</source>
        <translation>密码为 4 到 8 位数字。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="27"/>
        <source>Unknown staff member.</source>
        <translation>未知员工。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="28"/>
        <source>A manager&apos;s PIN is needed for this.</source>
        <translation>此操作需要店长密码。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="29"/>
        <source>That is not a manager&apos;s PIN.</source>
        <translation>这不是店长密码。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="30"/>
        <location filename="../../pos_app/ui/messages.py" line="31"/>
        <source>No member found.</source>
        <translation>未找到会员。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="32"/>
        <source>Type a phone number (11 digits), a card number (12 digits) or a referral code.</source>
        <translation>请输入手机号（11 位）、卡号（12 位）或推荐码。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="33"/>
        <source>A member with this phone number already exists.</source>
        <translation>该手机号已是会员。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="34"/>
        <source>That is not a mobile phone number.</source>
        <translation>这不是有效的手机号。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="35"/>
        <source>Type the member&apos;s name.</source>
        <translation>请输入会员姓名。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="36"/>
        <source>Wrong member PIN.</source>
        <translation>会员密码错误。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="37"/>
        <source>This member has no PIN: scan the member&apos;s dynamic code.</source>
        <translation>该会员未设密码：请扫描会员动态码。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="38"/>
        <source>No member has this referral code.</source>
        <translation>没有会员使用此推荐码。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="39"/>
        <source>A new phone number or PIN needs the member&apos;s PIN or their dynamic code.</source>
        <translation>更换手机号或密码需要会员的密码或会员动态码。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="40"/>
        <source>Scan the member&apos;s dynamic code on their phone.</source>
        <translation>请扫描会员手机上的动态码。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="41"/>
        <source>Sync with HQ first, or scan the member&apos;s dynamic code.</source>
        <translation>请先与总部同步，或扫描会员动态码。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="42"/>
        <source>The card number&apos;s check digit is wrong.</source>
        <translation>卡号校验位错误。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="44"/>
        <source>Scan or type a product code.</source>
        <translation>请扫描或输入商品码。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="45"/>
        <source>Offline for longer than HQ allows: redeeming is paused until this till syncs.</source>
        <translation>离线时间超过总部上限：本收银台同步前暂停兑换。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="46"/>
        <source>Over the offline redemption limit for this member.</source>
        <translation>超出该会员的离线兑换额度。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="47"/>
        <source>The cart is empty.</source>
        <translation>购物车为空。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="48"/>
        <location filename="../../pos_app/ui/messages.py" line="111"/>
        <source>That quantity is not allowed.</source>
        <translation>数量不允许。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="49"/>
        <source>The sale is too large.</source>
        <translation>单笔金额过大。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="50"/>
        <source>Too many lines in one sale.</source>
        <translation>单笔商品行数过多。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="53"/>
        <source>This coupon has expired.</source>
        <translation>此优惠券已过期。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="54"/>
        <source>The sale is below this coupon&apos;s minimum spend.</source>
        <translation>未达到此优惠券的最低消费。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="55"/>
        <source>This coupon belongs to another member.</source>
        <translation>此优惠券属于其他会员。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="56"/>
        <source>Scan the member first to use a coupon.</source>
        <translation>请先扫描会员再使用优惠券。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="57"/>
        <source>This coupon is already applied.</source>
        <translation>此优惠券已使用在本单。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="58"/>
        <source>This code is not a coupon.</source>
        <translation>这不是优惠券。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="59"/>
        <source>This coupon was issued elsewhere: show the code it came with.</source>
        <translation>此优惠券由别处发放：请出示随券提供的二维码。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="60"/>
        <source>Scan the member first to pay with points.</source>
        <translation>请先扫描会员再用积分抵现。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="63"/>
        <source>That is not a number of points.</source>
        <translation>这不是有效的积分数。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="65"/>
        <source>Type a number of points above zero.</source>
        <translation>请输入大于零的积分数。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="67"/>
        <source>This gift&apos;s offer has ended.</source>
        <translation>该礼品兑换活动已结束。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="68"/>
        <source>This gift&apos;s offer has not started yet.</source>
        <translation>该礼品兑换活动尚未开始。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="43"/>
        <source>No product has the code {code}.</source>
        <translation>没有编码为 {code} 的商品。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="51"/>
        <source>Unknown coupon {code}.</source>
        <translation>未知的优惠券 {code}。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="52"/>
        <source>Coupon {code} was already used.</source>
        <translation>优惠券 {code} 已使用过。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="61"/>
        <source>Points can pay at most {limit} of this bill.</source>
        <translation>本单积分最多抵扣 {limit}。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="62"/>
        <source>Points pay in steps of {step} points.</source>
        <translation>积分抵现须为 {step} 积分的整数倍。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="64"/>
        <source>Not enough points: {have} can be spent now, {need} needed.</source>
        <translation>积分不足：当前可用 {have}，需要 {need}。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="66"/>
        <source>Not enough in stock: {stock} left.</source>
        <translation>库存不足：仅剩 {stock} 件。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="69"/>
        <source>The member has reached this gift&apos;s limit of {limit}.</source>
        <translation>该会员已达到此礼品的兑换上限（每人 {limit} 件）。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="70"/>
        <source>This gift needs a higher tier.</source>
        <translation>该礼品需要更高会员等级。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="71"/>
        <source>This gift is no longer offered.</source>
        <translation>该礼品已下架。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="72"/>
        <source>Unknown gift.</source>
        <translation>未知礼品。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="73"/>
        <source>Scan a code, or type a phone number or product code.</source>
        <translation>请扫码，或输入手机号、商品编码。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="74"/>
        <source>This is not a code this shop uses.</source>
        <translation>这不是本店使用的码。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="75"/>
        <source>The code is damaged or incomplete: scan it again.</source>
        <translation>码已损坏或不完整：请重新扫描。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="76"/>
        <source>The code is not signed by a key this store trusts.</source>
        <translation>此码的签名不是本店信任的密钥：可能是伪造的。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="77"/>
        <source>The code was altered: its signature does not match.</source>
        <translation>此码已被篡改：签名与内容不符。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="78"/>
        <source>The check digit is wrong: a digit was misread or mistyped. Scan it again or check the number.</source>
        <translation>校验位不对：有一位数字读错或输错了。请重新扫描或核对号码。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="79"/>
        <source>The code has expired: ask the member to refresh it.</source>
        <translation>此码已过期：请会员刷新后再扫。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="80"/>
        <source>This code was already used: ask for a fresh one.</source>
        <translation>此码已使用过：请会员刷新新码。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="81"/>
        <source>Only the member&apos;s dynamic code (on the phone) can replace the PIN.</source>
        <translation>只有会员手机上的动态码可以代替密码。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="82"/>
        <source>This dynamic code belongs to another member.</source>
        <translation>此动态码属于另一位会员。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="83"/>
        <source>This is not a product label.</source>
        <translation>这不是商品标签。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="84"/>
        <source>The label&apos;s points are out of range.</source>
        <translation>标签的积分超出范围。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="85"/>
        <source>The label has no valid serial number.</source>
        <translation>标签没有有效的序列号。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="86"/>
        <source>This is not a pickup code.</source>
        <translation>这不是提货码。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="87"/>
        <source>This older pickup code is collected at the store that issued it.</source>
        <translation>此旧版取货码只能在发放门店领取。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="89"/>
        <source>The level rewards are not valid.</source>
        <translation>层级奖励设置无效。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="90"/>
        <source>Rewards reach at most three levels.</source>
        <translation>奖励最多三级。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="91"/>
        <source>The point type policy is not valid.</source>
        <translation>积分类型规则无效。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="92"/>
        <source>These points cannot be withdrawn.</source>
        <translation>这类积分不可提现。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="93"/>
        <source>This is less than the smallest withdrawal.</source>
        <translation>低于最低提现额。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="94"/>
        <source>This badge names no shopping guide of this store.</source>
        <translation>此工牌不是本店导购的工牌。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="95"/>
        <source>Unknown pickup code.</source>
        <translation>未知取货码。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="96"/>
        <source>This pickup was already written off or cancelled.</source>
        <translation>该取货码已核销或已取消。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="97"/>
        <source>More than was sold (or already refunded).</source>
        <translation>超过已售数量（或已退货）。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="98"/>
        <source>Type a reason for the refund.</source>
        <translation>请输入退款原因。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="99"/>
        <source>Choose what to refund.</source>
        <translation>请选择要退的商品。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="100"/>
        <source>No sale with this receipt number.</source>
        <translation>没有此小票号的交易。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="101"/>
        <source>The payment is {short} less than the amount due.</source>
        <translation>实收比应付少 {short}。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="102"/>
        <source>A card payment cannot be more than the amount due.</source>
        <translation>刷卡金额不能超过应收金额。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="103"/>
        <source>Type a reason for the adjustment.</source>
        <translation>请输入调整原因。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="104"/>
        <source>This adjustment is larger than allowed.</source>
        <translation>调整幅度超过允许范围。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="105"/>
        <source>This label has already earned its points.</source>
        <translation>此标签已积过分。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="106"/>
        <source>Type a whole number of points, not zero.</source>
        <translation>请输入非零的整数积分。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="107"/>
        <source>This product&apos;s price is out of range: check the catalogue.</source>
        <translation>该商品价格超出范围，请检查商品资料。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="108"/>
        <source>This coupon type is not valid.</source>
        <translation>该优惠券类型无效。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="109"/>
        <source>Unknown coupon type.</source>
        <translation>未知的优惠券类型。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="110"/>
        <source>Coupon {code} was cancelled.</source>
        <translation>优惠券 {code} 已作废。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="112"/>
        <source>The label batch code is not valid.</source>
        <translation>标签批次号无效。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="113"/>
        <source>The label batch file cannot be read.</source>
        <translation>无法读取标签批次文件。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="114"/>
        <source>A label in the batch file does not verify: the file was altered.</source>
        <translation>批次文件中有标签验证失败：文件被改动过。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="115"/>
        <source>That number of labels is not allowed.</source>
        <translation>标签数量不允许。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="116"/>
        <source>The label key is not valid.</source>
        <translation>标签密钥无效。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="117"/>
        <source>A label key already exists.</source>
        <translation>标签密钥已存在。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="118"/>
        <source>No label key: labels are signed at HQ.</source>
        <translation>没有标签密钥：标签由总部签发。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="119"/>
        <source>Type a name for the label batch.</source>
        <translation>请输入标签批次名称。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="120"/>
        <source>The prize table is not valid.</source>
        <translation>奖项表无效。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="121"/>
        <source>Choose a product for the labels.</source>
        <translation>请为标签选择商品。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="122"/>
        <source>Internal check failed: points must be whole numbers.</source>
        <translation>内部校验失败：积分必须为整数。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="123"/>
        <source>Internal check failed: the postings do not balance.</source>
        <translation>内部校验失败：分录不平衡。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="124"/>
        <source>Internal check failed: an empty posting.</source>
        <translation>内部校验失败：空分录。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="125"/>
        <source>This lottery&apos;s prize table is not valid.</source>
        <translation>该抽奖的奖项表无效。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="126"/>
        <source>Unknown lottery.</source>
        <translation>未知的抽奖活动。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="127"/>
        <source>Nothing was changed.</source>
        <translation>没有任何修改。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="128"/>
        <source>Too many wrong PINs for this member: try again later, or scan the member&apos;s dynamic code.</source>
        <translation>该会员密码错误次数过多：请稍后再试，或扫描会员动态码。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="129"/>
        <source>This redemption was already closed.</source>
        <translation>该兑换已结束。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="130"/>
        <source>Unknown redemption.</source>
        <translation>未知的兑换记录。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="131"/>
        <source>Choose what to refund, line by line.</source>
        <translation>请逐行选择要退的商品。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="132"/>
        <source>A quantity to refund must be above zero.</source>
        <translation>退货数量必须大于零。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="133"/>
        <source>The sale has no line {line}.</source>
        <translation>该笔销售没有第 {line} 行。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="134"/>
        <source>The rules from HQ are not valid: sync again.</source>
        <translation>总部下发的规则无效：请重新同步。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="135"/>
        <source>That amount cannot be taken: type the amount received again.</source>
        <translation>该金额无法收取：请重新输入实收金额。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="136"/>
        <source>Unknown payment method.</source>
        <translation>未知的支付方式。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="137"/>
        <location filename="../../pos_app/ui/messages.py" line="138"/>
        <location filename="../../pos_app/ui/messages.py" line="139"/>
        <source>The game&apos;s settings are not valid: sync again.</source>
        <translation>游戏设置无效：请重新同步。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="140"/>
        <source>Today&apos;s prizes of this lottery are all given out.</source>
        <translation>该抽奖今日的奖品已全部发完。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="141"/>
        <source>The member has made all of today&apos;s draws.</source>
        <translation>该会员今日的抽奖次数已用完。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="142"/>
        <source>The tiers from HQ are not valid: sync again.</source>
        <translation>总部下发的会员等级无效：请重新同步。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/messages.py" line="172"/>
        <source>Something went wrong: %1</source>
        <translation>出错了：%1</translation>
    </message>
</context>
<context>
    <name>ReportsView</name>
    <message>
        <location filename="../../pos_app/ui/reports.py" line="79"/>
        <source>Show</source>
        <translation>查询</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/reports.py" line="81"/>
        <source>Last 7 days</source>
        <translation>最近 7 天</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/reports.py" line="83"/>
        <location filename="../../pos_app/ui/reports.py" line="160"/>
        <source>Export CSV</source>
        <translation>导出 CSV</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/reports.py" line="86"/>
        <source>From</source>
        <translation>从</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/reports.py" line="86"/>
        <source>to</source>
        <translation>至</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/reports.py" line="99"/>
        <source>Reports</source>
        <translation>报表</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/reports.py" line="119"/>
        <source>The range ends before it starts.</source>
        <translation>结束日期早于开始日期。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/reports.py" line="28"/>
        <location filename="../../pos_app/ui/reports.py" line="127"/>
        <source>Sales</source>
        <translation>销售</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/reports.py" line="30"/>
        <location filename="../../pos_app/ui/reports.py" line="128"/>
        <source>Refunds</source>
        <translation>退货退款</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/reports.py" line="129"/>
        <source>Tender: %1</source>
        <translation>支付方式：%1</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/reports.py" line="32"/>
        <location filename="../../pos_app/ui/reports.py" line="130"/>
        <source>Points issued</source>
        <translation>发放积分</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/reports.py" line="27"/>
        <source>Day</source>
        <translation>日期</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/reports.py" line="29"/>
        <source>Sales amount (yuan)</source>
        <translation>销售额（元）</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/reports.py" line="31"/>
        <source>Refunds amount (yuan)</source>
        <translation>退款额（元）</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/reports.py" line="33"/>
        <location filename="../../pos_app/ui/reports.py" line="131"/>
        <source>Points redeemed</source>
        <translation>兑换积分</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/reports.py" line="34"/>
        <source>Points returned</source>
        <translation>退回积分</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/reports.py" line="35"/>
        <location filename="../../pos_app/ui/reports.py" line="132"/>
        <source>Points expired</source>
        <translation>过期积分</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/reports.py" line="36"/>
        <location filename="../../pos_app/ui/reports.py" line="133"/>
        <source>Points reversed</source>
        <translation>冲回积分</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/reports.py" line="37"/>
        <location filename="../../pos_app/ui/reports.py" line="134"/>
        <source>Points donated</source>
        <translation>捐赠积分</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/reports.py" line="38"/>
        <location filename="../../pos_app/ui/reports.py" line="135"/>
        <source>New members</source>
        <translation>新会员</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/reports.py" line="39"/>
        <source>Coupons sold</source>
        <translation>售出优惠券</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/reports.py" line="40"/>
        <source>Coupons used</source>
        <translation>使用优惠券</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/reports.py" line="42"/>
        <source>Redemptions cancelled</source>
        <translation>取消的兑换</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/reports.py" line="44"/>
        <source>Cash</source>
        <translation>现金</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/reports.py" line="44"/>
        <source>Card</source>
        <translation>刷卡</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/reports.py" line="45"/>
        <source>Other</source>
        <translation>其他</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/reports.py" line="136"/>
        <source>Coupons sold / used</source>
        <translation>优惠券 兑换 / 使用</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/reports.py" line="41"/>
        <location filename="../../pos_app/ui/reports.py" line="137"/>
        <source>Gift redemptions</source>
        <translation>礼品兑换</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/reports.py" line="138"/>
        <source>Stock: %1</source>
        <translation>库存：%1</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/reports.py" line="150"/>
        <source>Issued</source>
        <translation>发放</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/reports.py" line="151"/>
        <source>Redeemed</source>
        <translation>兑换</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/reports.py" line="152"/>
        <source>Expired</source>
        <translation>过期</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/reports.py" line="161"/>
        <source>CSV files (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/reports.py" line="169"/>
        <source>Tender: %1 (yuan)</source>
        <translation>%1（元）</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/reports.py" line="175"/>
        <source>Saved %1</source>
        <translation>已保存 %1</translation>
    </message>
</context>
<context>
    <name>SaleDonePanel</name>
    <message>
        <location filename="../../pos_app/ui/checkout/sale_done.py" line="19"/>
        <source>Print receipt (F10)</source>
        <translation>打印小票 (F10)</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/checkout/sale_done.py" line="25"/>
        <source>Sale %1 done</source>
        <translation>交易 %1 完成</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/checkout/sale_done.py" line="26"/>
        <source>Change %1</source>
        <translation>找零 %1</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/checkout/sale_done.py" line="27"/>
        <source>No change due</source>
        <translation>无需找零</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/checkout/sale_done.py" line="29"/>
        <source>+%1 points · balance %2</source>
        <translation>+%1 积分 · 余额 %2</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/checkout/sale_done.py" line="32"/>
        <source>No member: no points</source>
        <translation>非会员：无积分</translation>
    </message>
</context>
<context>
    <name>SettingsView</name>
    <message>
        <location filename="../../pos_app/ui/settings.py" line="60"/>
        <source>Save and restart</source>
        <translation>保存并重启</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/settings.py" line="64"/>
        <source>pdf:&lt;folder&gt; · tcp://192.168.1.50:9100 · usb://04b8:0202</source>
        <translation>pdf:&lt;文件夹&gt; · tcp://192.168.1.50:9100 · usb://04b8:0202</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/settings.py" line="65"/>
        <source>Print a receipt after every sale</source>
        <translation>每笔交易后自动打印小票</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/settings.py" line="67"/>
        <source>Save printer</source>
        <translation>保存打印机</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/settings.py" line="70"/>
        <source>Receipt printer</source>
        <translation>小票打印机</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/settings.py" line="74"/>
        <source>0 (first webcam), a video file or rtsp://… stream</source>
        <translation>0（第一个摄像头）、视频文件或 rtsp://… 视频流</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/settings.py" line="75"/>
        <source>Save camera</source>
        <translation>保存摄像头</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/settings.py" line="77"/>
        <source>Preview</source>
        <translation>预览</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/settings.py" line="91"/>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/settings.py" line="92"/>
        <source>Receipts</source>
        <translation>小票</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/settings.py" line="95"/>
        <source>Camera</source>
        <translation>摄像头</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/settings.py" line="98"/>
        <source>HQ</source>
        <translation>总部</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/settings.py" line="110"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/settings.py" line="149"/>
        <source>never</source>
        <translation>从未</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/settings.py" line="150"/>
        <source>Enrolled with {url} as store {store}, till {device}. Last sync: {last}.</source>
        <translation>已接入 {url}，门店 {store}，收银台 {device}。上次同步：{last}。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/settings.py" line="153"/>
        <source>Not enrolled: this till works on its own. Enrol it with the address and one-time token HQ gave you.</source>
        <translation>未接入：本收银台独立运行。请用总部提供的地址和一次性令牌接入。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/settings.py" line="156"/>
        <source>Offline limits set by HQ: redeeming stops after {hours} h without a sync ({left} h left); {member} points per member and {store} points per store in one offline period, {share} of them at this till ({budget} left).</source>
        <translation>总部设定的离线限制：超过 {hours} 小时未同步即停止兑换（剩余 {left} 小时）；每个离线期内每位会员最多 {member} 积分，本店最多 {store} 积分，其中本机 {share} 积分（剩余 {budget}）。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/settings.py" line="179"/>
        <source>Printer saved.</source>
        <translation>打印机已保存。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/settings.py" line="186"/>
        <source>Camera saved.</source>
        <translation>摄像头已保存。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/settings.py" line="193"/>
        <source>A sale is open</source>
        <translation>有未完成的交易</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/settings.py" line="194"/>
        <source>The checkout has a sale with %1 item(s) not finished. Restarting now clears it. Restart anyway?</source>
        <translation>收银台有一笔 %1 件商品的交易尚未完成，现在重启会清空它。仍要重启吗？</translation>
    </message>
</context>
<context>
    <name>SignInView</name>
    <message>
        <location filename="../../pos_app/ui/signin.py" line="27"/>
        <source>Sign in</source>
        <translation>登录</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/signin.py" line="36"/>
        <location filename="../../pos_app/ui/signin.py" line="105"/>
        <source>PIN</source>
        <translation>密码</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/signin.py" line="39"/>
        <source>Sign in (Enter)</source>
        <translation>登录 (Enter)</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/signin.py" line="42"/>
        <source>This till has no staff yet. Enrol it with HQ: staff, catalogue and rules arrive with the first sync.</source>
        <translation>本收银台还没有员工。请接入总部：员工、商品和规则会在首次同步时下发。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/signin.py" line="104"/>
        <source>Signing in as %1</source>
        <translation>登录人：%1</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/signin.py" line="105"/>
        <source>PIN of %1</source>
        <translation>%1 的密码</translation>
    </message>
</context>
<context>
    <name>SyncProblems</name>
    <message>
        <location filename="../../pos_app/ui/sync_problems.py" line="17"/>
        <source>HQ rejected</source>
        <translation>总部拒收</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/sync_problems.py" line="18"/>
        <source>HQ holds a different copy</source>
        <translation>总部记录内容不同</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/sync_problems.py" line="19"/>
        <source>Label already claimed elsewhere</source>
        <translation>标签已在别处领取</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/sync_problems.py" line="20"/>
        <source>Flagged by HQ</source>
        <translation>总部已标记</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/sync_problems.py" line="21"/>
        <source>Waiting for its original sale</source>
        <translation>等待原销售记录</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/sync_problems.py" line="22"/>
        <source>Corrected by HQ</source>
        <translation>总部已更正</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/sync_problems.py" line="23"/>
        <source>Could not apply HQ&apos;s record</source>
        <translation>无法应用总部记录</translation>
    </message>
</context>
<context>
    <name>SyncProblemsDialog</name>
    <message>
        <location filename="../../pos_app/ui/sync_problems.py" line="31"/>
        <source>Sync problems</source>
        <translation>同步问题</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/sync_problems.py" line="34"/>
        <source>What</source>
        <translation>问题</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/sync_problems.py" line="34"/>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/sync_problems.py" line="34"/>
        <source>When</source>
        <translation>时间</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/sync_problems.py" line="34"/>
        <source>Member</source>
        <translation>会员</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/sync_problems.py" line="35"/>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/sync_problems.py" line="38"/>
        <source>Loading…</source>
        <translation>加载中…</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/sync_problems.py" line="39"/>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/sync_problems.py" line="42"/>
        <source>What HQ said about this store&apos;s records</source>
        <translation>总部对本店记录的反馈</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/sync_problems.py" line="57"/>
        <source>{n} records need a manager&apos;s look.</source>
        <translation>{n} 条记录需要店长查看。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/sync_problems.py" line="58"/>
        <source>Nothing to review.</source>
        <translation>没有需要处理的记录。</translation>
    </message>
</context>
<context>
    <name>SyncStatus</name>
    <message>
        <location filename="../../pos_app/ui/status.py" line="33"/>
        <source>{d} d {h} h</source>
        <translation>{d} 天 {h} 小时</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/status.py" line="35"/>
        <source>{h} h {m} min</source>
        <translation>{h} 小时 {m} 分钟</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/status.py" line="36"/>
        <source>{m} min</source>
        <translation>{m} 分钟</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/status.py" line="42"/>
        <location filename="../../pos_app/ui/status.py" line="81"/>
        <source>Not enrolled with HQ: working offline</source>
        <translation>未接入总部：离线独立运行</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/status.py" line="43"/>
        <source>never</source>
        <translation>从未</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/status.py" line="45"/>
        <source>HQ refused this till: {error}</source>
        <translation>总部拒绝了本收银台：{error}</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/status.py" line="46"/>
        <source>Syncing…</source>
        <translation>同步中…</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/status.py" line="46"/>
        <source>Online</source>
        <translation>在线</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/status.py" line="46"/>
        <source>Offline</source>
        <translation>离线</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/status.py" line="47"/>
        <source>{n} to send</source>
        <translation>待上传 {n} 条</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/status.py" line="47"/>
        <source>last sync {at}</source>
        <translation>上次同步 {at}</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/status.py" line="49"/>
        <source>redeeming {left} left</source>
        <translation>兑换还可用 {left}</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/status.py" line="50"/>
        <source>redeeming paused</source>
        <translation>兑换已暂停</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/status.py" line="52"/>
        <source>clock off by {s} s</source>
        <translation>时钟偏差 {s} 秒</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/status.py" line="63"/>
        <source>HQ&apos;s record of this till differs from ours: call support (sales go on).</source>
        <translation>总部记录与本收银台不一致：请联系技术支持（可继续销售）。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/status.py" line="65"/>
        <source>HQ refused this till ({error}). Sales and points are kept here; call support.</source>
        <translation>总部拒绝了本收银台（{error}）。销售和积分已保存在本机；请联系技术支持。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/status.py" line="68"/>
        <source>Offline: sales and points are kept here and sync when HQ is back. Redeeming allowed for {left} more; {budget} points left in this till&apos;s share of the store&apos;s offline budget.</source>
        <translation>离线中：销售和积分保存在本机，总部恢复后自动同步。还可兑换 {left}；本机在本店离线兑换额度中剩余 {budget} 积分。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/status.py" line="71"/>
        <source>Offline longer than HQ allows: redeeming is paused until HQ is reached; earning goes on.</source>
        <translation>离线时间超过总部上限：兑换已暂停，连上总部后恢复；积分累积照常。</translation>
    </message>
    <message>
        <location filename="../../pos_app/ui/status.py" line="117"/>
        <source>{n} sync problems</source>
        <translation>{n} 条同步问题</translation>
    </message>
</context>
</TS>
