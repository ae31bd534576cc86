-- Neovim's own LSP client (0.7+) against the runbook language server: opens a runbook, waits for
-- pushed diagnostics, asks for completion, hover, symbols and formatting, and writes one line per
-- check to $EXR_RESULTS ("ok <name>" or "fail <name>: <why>"). Run by run-neovim.mjs.
local server = os.getenv('EXR_SERVER')
local runbook = os.getenv('EXR_RUNBOOK')
local results = io.open(os.getenv('EXR_RESULTS'), 'w')

local function check(name, ok, why)
  results:write((ok and 'ok ' or 'fail ') .. name .. (ok and '' or (': ' .. tostring(why))) .. '\n')
  results:flush()
end

vim.filetype.add({ extension = { exrunbook = 'exrunbook' } })
vim.cmd('edit ' .. vim.fn.fnameescape(runbook))
local bufnr = vim.api.nvim_get_current_buf()
local client_id = vim.lsp.start_client({
  name = 'exchange-runbooks',
  cmd = { 'node', server, '--stdio' },
  root_dir = vim.fn.fnamemodify(runbook, ':h'),
})
check('client started', client_id ~= nil, 'start_client returned nil')
vim.lsp.buf_attach_client(bufnr, client_id)

local got = vim.wait(30000, function() return #vim.diagnostic.get(bufnr) > 0 end, 100)
local diagnostics = vim.diagnostic.get(bufnr)
check('diagnostics pushed', got, 'no diagnostics within 30 s')
local codes = {}
for _, d in ipairs(diagnostics) do codes[#codes + 1] = tostring(d.code) end
check('unknown-monitor reported', vim.tbl_contains(codes, 'unknown-monitor'), table.concat(codes, ','))

-- Completion after `Set-PopSettings -` (line 13, 0-based 12).
local line = vim.api.nvim_buf_get_lines(bufnr, 12, 13, false)[1] or ''
local params = { textDocument = vim.lsp.util.make_text_document_params(bufnr), position = { line = 12, character = #line } }
local responses = vim.lsp.buf_request_sync(bufnr, 'textDocument/completion', params, 10000) or {}
local labels = {}
for _, response in pairs(responses) do
  local items = response.result and (response.result.items or response.result) or {}
  for _, item in ipairs(items) do labels[#labels + 1] = item.label end
end
local all_parameters = #labels > 0
for _, label in ipairs(labels) do if label:sub(1, 1) ~= '-' then all_parameters = false end end
check('parameters after a bare -', all_parameters and vim.tbl_contains(labels, '-ProtocolLogEnabled'), table.concat(labels, ','))

local hover = vim.lsp.buf_request_sync(bufnr, 'textDocument/hover', { textDocument = params.textDocument, position = { line = 6, character = 12 } }, 10000) or {}
local hovered = false
for _, response in pairs(hover) do
  if response.result and response.result.contents then hovered = true end
end
check('hover answers', hovered, vim.inspect(hover))

local symbols = vim.lsp.buf_request_sync(bufnr, 'textDocument/documentSymbol', { textDocument = params.textDocument }, 10000) or {}
local names = {}
for _, response in pairs(symbols) do for _, s in ipairs(response.result or {}) do names[#names + 1] = s.name end end
check('outline', table.concat(names, ',') == 'pop,verify,recover', table.concat(names, ','))

local formatting = vim.lsp.buf_request_sync(bufnr, 'textDocument/formatting', { textDocument = params.textDocument, options = { tabSize = 2, insertSpaces = true } }, 10000) or {}
local edits = 0
for _, response in pairs(formatting) do edits = edits + #(response.result or {}) end
check('formatting re-indents the one misindented line', edits == 1, edits)

results:close()
vim.lsp.stop_client(client_id)
vim.wait(2000, function() return vim.lsp.client_is_stopped(client_id) end, 50)
vim.cmd('qa!')
