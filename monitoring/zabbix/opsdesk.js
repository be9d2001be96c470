// OpsDesk webhook for Zabbix 6.0 (media type "OpsDesk"): sends one problem or recovery event as JSON to
// the integration's secret URL (/api/v1/integrations/<token>/zabbix/). Kept in step with
// opsdesk_media_type.yaml, which embeds this script; tests/monitoring/test_payload_kinds.py runs it.
var params = JSON.parse(value);

function unset(text) {
    // A macro Zabbix could not resolve stays as "{MACRO}": treat it as empty.
    return typeof text !== 'string' || text === '' || /^\{[A-Z0-9_.]+\}$/.test(text);
}

function zabbixTime(date, time) {
    // {EVENT.DATE} is 2026.12.01 and {EVENT.TIME} 08:00:00, in the Zabbix server's time zone.
    return unset(date) || unset(time) ? '' : date.replace(/\./g, '-') + ' ' + time;
}

var tags = {};
if (!unset(params.event_tags)) {
    try {
        JSON.parse(params.event_tags).forEach(function (tag) { tags[tag.tag] = tag.value; });
    } catch (error) {
        Zabbix.log(4, '[OpsDesk] event tags not JSON: ' + error);
    }
}

var recovery = params.event_value === '0';
var body = {
    event_id: params.event_id,
    status: recovery ? 'resolved' : 'firing',
    severity: params.severity,
    host: unset(params.host) ? '' : params.host,
    host_ip: unset(params.host_ip) ? '' : params.host_ip,
    trigger_name: params.trigger_name,
    subject: params.subject,
    message: params.message,
    event_time: zabbixTime(params.event_date, params.event_time),
    recovery_time: recovery ? zabbixTime(params.recovery_date, params.recovery_time) : '',
    tags: tags,
    business_system: tags.business_system || (unset(params.business_system) ? '' : params.business_system),
    opsdesk_severity: tags.opsdesk_severity || '',
    opsdesk_kind: tags.opsdesk_kind || ''
};

var request = new HttpRequest();
request.addHeader('Content-Type: application/json');
var answer = request.post(params.opsdesk_url, JSON.stringify(body));
if (request.getStatus() !== 202) {
    throw 'OpsDesk answered ' + request.getStatus() + ': ' + answer;
}
return 'OK';
