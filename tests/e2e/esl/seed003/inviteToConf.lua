-- inviteToConf.lua: seed 003's invitation script, run on answer of the invited party
-- (originate {execute_on_answer='lua inviteToConf.lua'}...). A sched_hangup task hangs the call up
-- unless the party presses 1 within the time limit; pressing 1 cancels the task and transfers the
-- call to extension 7001, whose XML extension `conf_test` joins conference test1.

local api = freeswitch.API()
local uuid = session:get_uuid()
local limit = tonumber(session:getVariable("invite_timeout") or "20")

-- FreeSWITCH answers sched_hangup with "+OK" only; Switchyard adds the task id. Fall back to
-- `show tasks` (the seed's second way): the task's group is the channel's uuid.
local reply = api:executeString("sched_hangup +" .. limit .. " " .. uuid .. " ALLOTTED_TIMEOUT")
local task_id = string.match(reply, "^%+OK (%d+)")
if not task_id then
    for line in string.gmatch(api:executeString("show tasks"), "[^\n]+") do
        local id, group = string.match(line, "^(%d+),[^,]*,([^,]*),")
        if group == uuid then
            task_id = id
        end
    end
end
session:setVariable("invite_task_id", task_id)
freeswitch.consoleLog("info", "invite " .. uuid .. ": hangup task " .. tostring(task_id) .. " in " .. limit .. " s\n")

session:streamFile("conference/conf-press_1_to_join.wav")
local digit = session:getDigits(1, "", (limit + 5) * 1000)
if digit == "1" then
    api:executeString("sched_del " .. task_id)
    session:setVariable("invite_result", "accepted")
    session:execute("transfer", "7001 XML default")
else
    freeswitch.consoleLog("notice", "invite " .. uuid .. ": no key pressed, the scheduled hangup ends the call\n")
    while session:ready() do
        session:sleep(500)
    end
end
