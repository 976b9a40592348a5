# Table 3: teacher temperature gamma_T = 0.01, student gamma_S = 0.01.
_base_ = ['./auxskd_r2plus1d-r10_2xb15-2x16-20e_k100-rgb.py']
model = dict(head=dict(temp_teacher=0.01, temp_student=0.01))
